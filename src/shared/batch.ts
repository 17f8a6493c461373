/**
 * Items handed over together: a batch starts with the first item added and is handed over `ms`
 * later, or at once by `flush` (on exit, or when a reader needs everything so far). The timer does
 * not keep the process alive.
 */
export function batched<T>(handOver: (items: T[]) => void, ms: number) {
  let items: T[] = [];
  const flush = () => {
    if (items.length === 0) return;
    const batch = items;
    items = [];
    handOver(batch);
  };
  return {
    add(item: T) {
      if (items.push(item) === 1) setTimeout(flush, ms).unref();
    },
    flush,
  };
}
