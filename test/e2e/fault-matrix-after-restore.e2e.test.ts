import { matrixShard } from './fault-matrix/matrix';

matrixShard('after-restore hook');
