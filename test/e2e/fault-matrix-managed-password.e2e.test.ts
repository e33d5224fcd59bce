import { matrixShard } from './fault-matrix/matrix';

matrixShard('managed master password');
