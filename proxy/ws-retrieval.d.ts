import * as hr from '../index';
type Json = Record<string, unknown>;
/** The `headroom_retrieve` calls seen on one connection, until the client sends their outputs. */
export declare class WsRetrieval {
    private readonly calls;
    /** Calls waiting for the client's output. */
    get pending(): number;
    /** Notes the retrieve calls of an upstream event (`response.output_item.done`, `response.completed`). */
    observe(ev: Json): void;
    /**
     * The frame with the outputs of noted retrieve calls replaced by what the store answers
     * (unknown hashes get the library's error text), and how many were answered. Every other
     * byte stays.
     */
    answer(frame: Buffer, store: hr.Store): {
        frame: Buffer;
        answered: number;
    };
}
export {};
