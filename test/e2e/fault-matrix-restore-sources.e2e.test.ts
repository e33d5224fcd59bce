import { matrixShard } from './fault-matrix/matrix';

matrixShard('restore sources');
