import { matrixShard } from './fault-matrix/matrix';

matrixShard('instance policies');
