/**
 * An EventTarget whose event names and payloads are fixed by a map, after hls.js's typed
 * events: `M` maps each event name to the type of its `detail`.
 */
export class TypedEventTarget<M extends object> extends EventTarget {
  /**
   * Listens to `type`; the listener gets the event's detail.
   * @returns a teardown that removes the listener.
   */
  on<K extends keyof M & string>(type: K, listener: (detail: M[K]) => void, options?: AddEventListenerOptions): () => void {
    const wrapped = (event: Event) => listener((event as CustomEvent<M[K]>).detail);
    this.addEventListener(type, wrapped, options);
    return () => this.removeEventListener(type, wrapped, options);
  }

  /** Dispatches `type` with `detail` to every listener, synchronously. */
  protected emit<K extends keyof M & string>(type: K, detail: M[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
