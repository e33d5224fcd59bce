// aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
// Without it every Task fails (and a Catch on States.ALL would hide that).
if (typeof (Promise as any).withResolvers !== 'function') {
  (Promise as any).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

// The AWS SDK warns once that its Node 20 support ends in 2027: noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Handlers log structured JSON lines, as in Lambda; tests and the demo read results, not logs.
process.env.TRAPHEUS_LOG = 'off';
