import { registerExperiment } from './experiment';
import { smoke } from './smoke';
import { tinyDense } from './tiny_dense';
import { tinyMoe } from './tiny_moe';

export * from './experiment';
export { smoke, tinyMoe, tinyDense };

registerExperiment(smoke);
registerExperiment(tinyMoe);
registerExperiment(tinyDense);
