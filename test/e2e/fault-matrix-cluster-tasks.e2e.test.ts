import { matrixShard } from './fault-matrix/matrix';

matrixShard('cluster tasks');
