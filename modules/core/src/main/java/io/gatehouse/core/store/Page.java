package io.gatehouse.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * One page of a listing ({@link PageRequest}): its entries in key order, and {@code next}, the key of the
 * last entry when more entries may follow (the {@link PageRequest#after} of the next page), else null.
 */
public record Page<T>(List<T> items, String next) {
  public Page {
    items = List.copyOf(items);
  }

  /**
   * The page of {@code candidates} (entries in key order that the request {@link PageRequest#admits admits},
   * at most one more than its limit, so that the extra one tells whether more follow).
   */
  public static <T> Page<T> of(List<T> candidates, PageRequest request, Function<T, String> key) {
    if (candidates.size() <= request.limit()) {
      return new Page<>(candidates, null);
    }
    List<T> page = candidates.subList(0, request.limit());
    return new Page<>(page, key.apply(page.get(page.size() - 1)));
  }

  /**
   * The page of a map sorted by key in {@link PageRequest#ORDER} (an in-memory store's index): the keys with the
   * prefix are contiguous in that order, so the scan starts where the page does and stops at the first key
   * without the prefix, or once it has one entry more than the limit.
   */
  public static <V, T> Page<T> scan(NavigableMap<String, V> sorted, PageRequest request, Function<V, T> value) {
    List<T> candidates = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, V> e : sorted.tailMap(request.scanFrom(), true).entrySet()) {
      if (!e.getKey().startsWith(request.prefix()) || candidates.size() > request.limit()) {
        break;
      }
      if (request.admits(e.getKey())) {
        candidates.add(value.apply(e.getValue()));
        keys.add(e.getKey());
      }
    }
    return candidates.size() <= request.limit()
        ? new Page<>(candidates, null)
        : new Page<>(candidates.subList(0, request.limit()), keys.get(request.limit() - 1));
  }

  public <R> Page<R> map(Function<T, R> f) {
    return new Page<>(items.stream().map(f).toList(), next);
  }
}
