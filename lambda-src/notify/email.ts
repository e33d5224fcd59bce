import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';

let client: SESClient | undefined;

/** Send the alert email through SES (default client configuration: Region and endpoint from the environment). */
export async function sendEmail(sender: string, recipients: string[], email: { subject: string; text: string; html: string }): Promise<void> {
  client ??= new SESClient({});
  await client.send(new SendEmailCommand({
    Source: sender,
    Destination: { ToAddresses: recipients },
    Message: {
      Subject: { Data: email.subject, Charset: 'UTF-8' },
      Body: {
        Text: { Data: email.text, Charset: 'UTF-8' },
        Html: { Data: email.html, Charset: 'UTF-8' },
      },
    },
  }));
}
