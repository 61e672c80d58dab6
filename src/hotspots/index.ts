export {
  HotspotsRepository,
  type DisconnectEndpoint,
  type NasRecord,
  type HotspotValues,
} from './repository.js';
export {
  HotspotsService,
  generateRadiusSecret,
  MIN_INTERIM_INTERVAL_SECONDS,
  type HotspotInput,
} from './service.js';
export { routerOsConfig, type RouterOsConfigInput } from './routeros.js';
