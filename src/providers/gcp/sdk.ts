/**
 * The Compute Engine clients this provider uses, from the library's per-client
 * modules (not its index, which loads every one of its hundreds of clients).
 * Imported only dynamically, so a run without GCP sites never loads it.
 */
export { DisksClient } from '@google-cloud/compute/build/src/v1/disks_client.js';
export { FirewallsClient } from '@google-cloud/compute/build/src/v1/firewalls_client.js';
export { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
export { ImagesClient } from '@google-cloud/compute/build/src/v1/images_client.js';
export { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
export { MachineTypesClient } from '@google-cloud/compute/build/src/v1/machine_types_client.js';
export { NetworksClient } from '@google-cloud/compute/build/src/v1/networks_client.js';
export { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client.js';
export { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
export { SubnetworksClient } from '@google-cloud/compute/build/src/v1/subnetworks_client.js';
export { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
