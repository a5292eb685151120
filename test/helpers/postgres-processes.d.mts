export type ClusterUser = { uid: number; gid: number };
export function findPostgresBin(): string | undefined;
export function clusterUser(): ClusterUser | undefined;
export function freePort(): Promise<number>;
export function run(command: string, args: string[], user: ClusterUser | undefined): Promise<void>;
export interface StartedCluster {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  stopNow(): void;
  postmasterPid(): number;
  removeFolder(): void;
}
export function startCluster(options: { prefix: string; settings?: string[]; core?: number }): Promise<StartedCluster>;
