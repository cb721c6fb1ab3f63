// The volume area's seam: the local driver (service.ts), container mounts (container-mounts.ts) and the
// parsing of Docker's mount requests (requests.ts).
export { VolumeService, VolumeError, validateVolumeName, labelMatch, dirSize, type VolumeInfo, type VolumeRecord } from './service';
export { ContainerMounts } from './container-mounts';
export { parseBindString, parseMountObject, parseTmpfsMap, anonymousVolumes, parseVolumesFrom, MountSpecError } from './requests';
