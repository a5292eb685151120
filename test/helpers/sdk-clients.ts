import type OpenAI from 'openai';
import type OpenAIv4 from 'openai-v4';

type Message = OpenAI.Beta.Threads.Message;
type Thread = OpenAI.Beta.Threads.Thread;
type ThreadCreateParams = OpenAI.Beta.Threads.ThreadCreateParams;
type ThreadUpdateParams = OpenAI.Beta.Threads.ThreadUpdateParams;
type MessageCreateParams = OpenAI.Beta.Threads.Messages.MessageCreateParams;
type MessageListParams = OpenAI.Beta.Threads.Messages.MessageListParams;
type Deleted = { id: string; object: string; deleted: boolean };

/** The API version the Azure clients are built with (they require one); threadstore accepts any. */
export const AZURE_API_VERSION = '2024-05-01-preview';

/** The part of an SDK cursor page the tests use; every major has it. */
export interface MessagePage {
  data: Message[];
  has_more: boolean;
  hasNextPage(): boolean;
  getNextPage(): Promise<MessagePage>;
}

/** A list call: awaited it is the first page, iterated it walks every page (auto-pagination). */
export type MessageList = PromiseLike<MessagePage> & AsyncIterable<Message>;

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * One face over every SDK major, whose call signatures differ: v4 passes the thread id first and names
 * delete `del`; v5 and later pass the message id first with `{ thread_id }` and name it `delete`.
 */
export interface SdkClient {
  threads: {
    create(body?: ThreadCreateParams): Promise<Thread>;
    retrieve(threadId: string): Promise<Thread>;
    update(threadId: string, body: ThreadUpdateParams): Promise<Thread>;
    delete(threadId: string): Promise<Deleted>;
  };
  messages: {
    create(threadId: string, body: MessageCreateParams): Promise<Message>;
    list(threadId: string, query?: MessageListParams): MessageList;
    retrieve(threadId: string, messageId: string): Promise<Message>;
    update(threadId: string, messageId: string, body: { metadata?: Record<string, string> | null }): Promise<Message>;
    delete(threadId: string, messageId: string): Promise<Deleted>;
  };
  errors: {
    APIError: ErrorClass;
    NotFoundError: ErrorClass;
    BadRequestError: ErrorClass;
    AuthenticationError: ErrorClass;
  };
  /** The request id the SDK read from the `x-request-id` header of an error response. */
  requestIdOf(error: unknown): string | undefined;
}

export interface Connection {
  /** The server's origin, `http://127.0.0.1:PORT`. */
  origin: string;
  apiKey: string;
  /**
   * The other usual way to point this client at a server: `OpenAI` with its base URL at the root (no `/v1`),
   * `AzureOpenAI` with the endpoint ending in a slash, as Azure's portal shows it.
   */
  variant?: boolean;
}

export interface LoadedSdk {
  version: string;
  connect(connection: Connection): SdkClient;
}

export interface SdkFlavour {
  /** e.g. `openai-node 6 AzureOpenAI`. */
  name: string;
  major: 4 | 5 | 6 | 7;
  azure: boolean;
  /** Where its requests go: `/v1` (`OpenAI`) or `/openai` (`AzureOpenAI`). */
  prefix: '/v1' | '/openai';
  /** Why this flavour cannot run on this machine, when it cannot. */
  unsupported: string | undefined;
  /** Imports the SDK, only when a test runs it (so 7 is never imported on a Node it does not support). */
  load(): Promise<LoadedSdk>;
}

/** The modules of the majors with v5's call shapes; typed as the main `openai` dependency (6). */
type ModernModule = typeof import('openai');
type Client = InstanceType<ModernModule['default']>;

const clientOptions = { maxRetries: 0 };

/** `OpenAI` or `AzureOpenAI` of any major, as the README tells a user to build it. */
export function construct<C>(
  sdk: { default: new (options: object) => C; AzureOpenAI: new (options: object) => C },
  azure: boolean,
  c: Connection,
): C {
  if (azure) {
    const endpoint = c.variant ? `${c.origin}/` : c.origin;
    return new sdk.AzureOpenAI({ endpoint, apiKey: c.apiKey, apiVersion: AZURE_API_VERSION, ...clientOptions });
  }
  return new sdk.default({ baseURL: c.variant ? c.origin : `${c.origin}/v1`, apiKey: c.apiKey, ...clientOptions });
}

function modernClient(sdk: ModernModule, client: Client): SdkClient {
  const { threads } = client.beta;
  return {
    threads: {
      create: (body) => threads.create(body),
      retrieve: (threadId) => threads.retrieve(threadId),
      update: (threadId, body) => threads.update(threadId, body),
      delete: (threadId) => threads.delete(threadId),
    },
    messages: {
      create: (threadId, body) => threads.messages.create(threadId, body),
      list: (threadId, query) => threads.messages.list(threadId, query) as unknown as MessageList,
      retrieve: (threadId, messageId) => threads.messages.retrieve(messageId, { thread_id: threadId }),
      update: (threadId, messageId, body) => threads.messages.update(messageId, { thread_id: threadId, ...body }),
      delete: (threadId, messageId) => threads.messages.delete(messageId, { thread_id: threadId }),
    },
    errors: {
      APIError: sdk.APIError,
      NotFoundError: sdk.NotFoundError,
      BadRequestError: sdk.BadRequestError,
      AuthenticationError: sdk.AuthenticationError,
    },
    requestIdOf: (error) => (error instanceof sdk.APIError ? (error.requestID ?? undefined) : undefined),
  };
}

function v4Client(sdk: typeof import('openai-v4'), client: OpenAIv4): SdkClient {
  const { threads } = client.beta;
  // v4's own types are the same wire objects under another package's names.
  const as = <T>(promise: PromiseLike<unknown>) => promise as Promise<T>;
  return {
    threads: {
      create: (body) => as<Thread>(threads.create(body as OpenAIv4.Beta.ThreadCreateParams)),
      retrieve: (threadId) => as<Thread>(threads.retrieve(threadId)),
      update: (threadId, body) => as<Thread>(threads.update(threadId, body as OpenAIv4.Beta.ThreadUpdateParams)),
      delete: (threadId) => threads.del(threadId),
    },
    messages: {
      create: (threadId, body) =>
        as<Message>(threads.messages.create(threadId, body as OpenAIv4.Beta.Threads.MessageCreateParams)),
      list: (threadId, query) =>
        threads.messages.list(threadId, query as OpenAIv4.Beta.Threads.MessageListParams) as unknown as MessageList,
      retrieve: (threadId, messageId) => as<Message>(threads.messages.retrieve(threadId, messageId)),
      update: (threadId, messageId, body) => as<Message>(threads.messages.update(threadId, messageId, body)),
      delete: (threadId, messageId) => threads.messages.del(threadId, messageId),
    },
    errors: {
      APIError: sdk.APIError,
      NotFoundError: sdk.NotFoundError,
      BadRequestError: sdk.BadRequestError,
      AuthenticationError: sdk.AuthenticationError,
    },
    requestIdOf: (error) => (error instanceof sdk.APIError ? (error.request_id ?? undefined) : undefined),
  };
}

const nodeMajor = Number(process.versions.node.split('.')[0]);

/** Each major's package (the npm aliases in package.json) and the oldest Node it declares (`engines`), if any. */
const MAJORS: { major: SdkFlavour['major']; minNode?: number; load(azure: boolean): Promise<LoadedSdk> }[] = [
  {
    major: 4,
    load: async (azure: boolean): Promise<LoadedSdk> => {
      const [sdk, { VERSION }] = await Promise.all([import('openai-v4'), import('openai-v4/version')]);
      return { version: VERSION, connect: (c) => v4Client(sdk, construct(sdk, azure, c)) };
    },
  },
  ...(
    [
      [5, undefined, () => Promise.all([import('openai-v5'), import('openai-v5/version')])],
      [6, undefined, () => Promise.all([import('openai'), import('openai/version')])],
      [7, 22, () => Promise.all([import('openai-v7'), import('openai-v7/version')])],
    ] as const
  ).map(([major, minNode, importSdk]) => ({
    major,
    minNode,
    load: async (azure: boolean): Promise<LoadedSdk> => {
      const [module, { VERSION }] = await importSdk();
      const sdk = module as unknown as ModernModule;
      return { version: VERSION, connect: (c) => modernClient(sdk, construct(sdk, azure, c)) };
    },
  })),
];

/** Every major, each as `OpenAI` and as `AzureOpenAI`. */
export const sdkFlavours: SdkFlavour[] = MAJORS.flatMap(({ major, minNode, load }) =>
  [false, true].map((azure) => ({
    name: `openai-node ${major} ${azure ? 'AzureOpenAI' : 'OpenAI'}`,
    major,
    azure,
    prefix: azure ? ('/openai' as const) : ('/v1' as const),
    unsupported:
      minNode !== undefined && nodeMajor < minNode
        ? `openai-node ${major} declares Node ${minNode} or newer (engines); this is Node ${process.versions.node}, so it runs in the Node ${minNode} CI leg (.ci/node-lts.sh)`
        : undefined,
    load: () => load(azure),
  })),
);
