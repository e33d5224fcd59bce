import { matrixShard } from './fault-matrix/matrix';

matrixShard('cutovers');
