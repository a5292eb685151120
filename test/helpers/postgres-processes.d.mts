export type ClusterUser = { uid: number; gid: number };
export function findPostgresBin(): string | undefined;
export function clusterUser(): ClusterUser | undefined;
export function freePort(): Promise<number>;
export function run(command: string, args: string[], user: ClusterUser | undefined): Promise<void>;
