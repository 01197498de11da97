/**
 * The Azure SDKs this provider uses. Imported only dynamically, so a run
 * without Azure sites never loads them.
 */
export { ComputeManagementClient } from '@azure/arm-compute';
export { NetworkManagementClient } from '@azure/arm-network';
export { ResourceManagementClient } from '@azure/arm-resources';
export { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
export { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
