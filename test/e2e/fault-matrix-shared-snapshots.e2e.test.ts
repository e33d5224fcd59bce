import { matrixShard } from './fault-matrix/matrix';

matrixShard('shared snapshots');
