import { matrixShard } from './fault-matrix/matrix';

matrixShard('cluster snapshot then delete, rollback');
