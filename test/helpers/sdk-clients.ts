import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import { VERSION as V4_VERSION } from 'openai-v4/version';
import { VERSION as V6_VERSION } from 'openai/version';

type Message = OpenAI.Beta.Threads.Message;
type Thread = OpenAI.Beta.Threads.Thread;
type ThreadCreateParams = OpenAI.Beta.Threads.ThreadCreateParams;
type ThreadUpdateParams = OpenAI.Beta.Threads.ThreadUpdateParams;
type MessageCreateParams = OpenAI.Beta.Threads.Messages.MessageCreateParams;
type MessageListParams = OpenAI.Beta.Threads.Messages.MessageListParams;
type Deleted = { id: string; object: string; deleted: boolean };

/** The part of an SDK cursor page the tests use; both majors have it. */
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
 * One face over both SDK majors, whose call signatures differ: v4 passes the thread id first and names
 * delete `del`; v6 passes the message id first with `{ thread_id }` and names it `delete`.
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
  errors: { APIError: ErrorClass; NotFoundError: ErrorClass; BadRequestError: ErrorClass };
  /** The request id the SDK read from the `x-request-id` header of an error response. */
  requestIdOf(error: unknown): string | undefined;
}

export interface SdkFlavour {
  name: string;
  version: string;
  connect(baseURL: string): SdkClient;
}

const clientOptions = (baseURL: string) => ({ baseURL, apiKey: 'test-key', maxRetries: 0 });

export const openaiV6: SdkFlavour = {
  name: 'openai v6',
  version: V6_VERSION,
  connect(baseURL) {
    const client = new OpenAI(clientOptions(baseURL));
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
      errors: { APIError: OpenAI.APIError, NotFoundError: OpenAI.NotFoundError, BadRequestError: OpenAI.BadRequestError },
      requestIdOf: (error) => (error instanceof OpenAI.APIError ? (error.requestID ?? undefined) : undefined),
    };
  },
};

export const openaiV4: SdkFlavour = {
  name: 'openai v4',
  version: V4_VERSION,
  connect(baseURL) {
    const client = new OpenAIv4(clientOptions(baseURL));
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
        APIError: OpenAIv4.APIError,
        NotFoundError: OpenAIv4.NotFoundError,
        BadRequestError: OpenAIv4.BadRequestError,
      },
      requestIdOf: (error) => (error instanceof OpenAIv4.APIError ? (error.request_id ?? undefined) : undefined),
    };
  },
};

export const sdkFlavours = [openaiV6, openaiV4];
