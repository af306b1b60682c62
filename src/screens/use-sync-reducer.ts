import { useCallback, useReducer, useRef } from 'react';

/**
 * `useReducer` whose current state is also readable synchronously (`ref.current`). Key handlers need
 * it: keys pasted or typed faster than a render arrive in one stdin chunk, and a handler reading state
 * from its render closure would act on a stale mode (`/q` would quit instead of filtering for "q").
 */
export function useSyncReducer<S, A>(
  reducer: (state: S, action: A) => S,
  init: () => S,
): [S, (action: A) => void, { readonly current: S }] {
  const ref = useRef<{ current: S } | undefined>(undefined);
  if (ref.current === undefined) ref.current = { current: init() };
  const box = ref.current;
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const dispatch = useCallback(
    (action: A) => {
      const next = reducer(box.current, action);
      if (next === box.current) return;
      box.current = next;
      bump();
    },
    [reducer, box],
  );
  return [box.current, dispatch, box];
}
