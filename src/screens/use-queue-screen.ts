import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from './console-context.js';
import type { Command, CommandOf, Scope } from './keymap.js';
import { parseFilter } from './list-state.js';
import { draftDetailLines } from './queue-view.js';
import { hasCritical, promptKey, type QueuePrompt } from './queue-prompt.js';
import { queueDecisions, type LastDecision } from './queue-decisions.js';
import { rowAt } from './queue-window.js';
import { reportAction } from './report-action.js';
import type { ScreenKeys } from './screen-props.js';
import type { DraftView } from './services.js';
import { useListScreen, type ListTarget } from './use-list-screen.js';
import { useChangeToken, useNow, usePoll } from './use-poll.js';
import { useQueuePages } from './use-queue-pages.js';

const draftKey = (d: DraftView) => d.id;
/** `*` marks at most this many rows (one page of the record). */
const MARK_ALL_LIMIT = 500;
/** The visible pages are re-read at least this often, beside the change token (a safety net). */
const REREAD_MS = 30_000;
/** The AGE column's clock ticks once a minute (its resolution). */
const AGE_TICK_MS = 60_000;

type Sort = 'age' | '-age';

/** The Queue screen's state and actions; the screen only lays them out. */
export function useQueueScreen({
  tableHeight,
  detailHeight,
  width,
  keys,
}: {
  tableHeight: number;
  detailHeight: number;
  width: number;
  keys: ScreenKeys;
}) {
  const { services, intervals, refreshToken, notify, memory, setBarScopes } = useConsole();
  const port = services.queue;
  const [sort, setSortState] = useState<Sort>(() => (memory.get('queue.sort') as Sort | undefined) ?? 'age');
  const [filter, setFilter] = useState('');
  const [prompt, setPromptState] = useState<QueuePrompt | undefined>();
  const [detail, setDetailState] = useState<{ id: string; scroll: number } | undefined>();
  const promptRef = useRef<QueuePrompt | undefined>(undefined);
  const detailRef = useRef<{ id: string; scroll: number } | undefined>(undefined);
  const last = useRef<LastDecision | undefined>(undefined);
  const [view, setView] = useState({ from: 0, to: tableHeight });

  const setPrompt = (p: QueuePrompt | undefined) => {
    promptRef.current = p;
    setPromptState(p);
  };
  const setDetail = (d: { id: string; scroll: number } | undefined) => {
    detailRef.current = d;
    setDetailState(d);
  };
  const setSort = (s: Sort) => {
    memory.set('queue.sort', s);
    setSortState(s);
  };

  const parsed = parseFilter(filter);
  const query = useMemo(
    () => ({
      sort,
      ...(parsed.pattern !== '' ? { pattern: parsed.pattern, invert: parsed.invert } : {}),
    }),
    [sort, parsed.pattern, parsed.invert],
  );
  const pages = useQueuePages(port, query, view.from, view.to);
  // Ages (and the SLA marker) advance with this clock, not with reads: one state change a minute,
  // which re-renders the rows on screen only (the table draws no other rows).
  const ageTick = intervals.age ?? AGE_TICK_MS;
  const now = useNow(services.now, ageTick);
  const total = pages.window.total ?? 0;
  const refreshPages = useRef(pages.refresh);
  refreshPages.current = pages.refresh;

  // Changes: poll the cheap token (no re-render while it stands still); when it moves, re-read the
  // pages on screen and the header.
  const changeToken = useCallback(() => (port ? port.changeToken() : Promise.resolve('')), [port]);
  const [changes, setChanges] = useState(0);
  useChangeToken(port ? changeToken : undefined, intervals.data, () => {
    refreshPages.current();
    setChanges((n) => n + 1);
  });
  useEffect(() => {
    if (refreshToken > 0) refreshPages.current();
  }, [refreshToken]);
  useEffect(() => {
    const timer = setInterval(() => refreshPages.current(), REREAD_MS);
    return () => clearInterval(timer);
  }, []);
  const loadHeader = useCallback(
    () => (port ? port.header() : Promise.reject(new Error('no queue'))),
    [port],
  );
  // The header (capacity, SLA breaches) is re-read when the queue changes, else on the AGE column's
  // tick: drafts cross the SLA as time passes, and the count should agree with the ⚠ marks shown.
  const header = usePoll(port ? loadHeader : undefined, ageTick, services.now, refreshToken + changes);

  const act = (fn: () => Promise<string>) =>
    reportAction(fn, notify, () => {
      pages.refresh();
      header.reload();
    });

  const remote = {
    count: total,
    rowAt: (i: number) => rowAt(pages.window, i),
  };

  const { approveOne, approveMany, reject, undo } = queueDecisions({
    port,
    act,
    notify,
    last,
    // The cursor moves on only once a decision is written (a refusal keeps it on the row).
    decided: (index) => {
      if (list.list.cursor === index && !detailRef.current) list.move(1);
    },
    clearMarks: (ids) => list.clearMarks(ids),
  });

  const detailLines = (draft: DraftView) => draftDetailLines(draft, width, { full: true });

  const QUEUE: Record<CommandOf<'queue'>, (target: ListTarget<DraftView>, arg?: string) => void> = {
    'queue.open': ({ current }) => {
      if (!current) return notify('No draft here to open.', 'yellow');
      setDetail({ id: current.id, scroll: 0 });
    },
    'queue.approve': ({ current }) => {
      if (!current) return notify('Nothing to approve.', 'yellow');
      if (hasCritical(current)) return setPrompt({ kind: 'confirmApprove', draft: current });
      approveOne(current, list.list.cursor);
    },
    'queue.reject': ({ current }, arg) => {
      if (!current) return notify('Nothing to reject.', 'yellow');
      if (arg !== undefined) {
        const category = port?.taxonomy.find((c) => c === arg.toLowerCase());
        if (!category)
          return notify(`Unknown category "${arg}": use one of ${port?.taxonomy.join(', ') ?? ''}`, 'yellow');
        return setPrompt({ kind: 'note', draft: current, category, note: '' });
      }
      setPrompt({ kind: 'category', draft: current });
    },
    'queue.undo': () => undo(),
    'queue.approveMarked': ({ marked }) => {
      if (marked.length === 0)
        return notify('Mark drafts with space (or * for all shown), then press A.', 'yellow');
      setPrompt({ kind: 'confirmBulk', ids: marked });
    },
    'queue.markAll': () => {
      if (!port) return;
      void port.page({ ...query, limit: MARK_ALL_LIMIT }).then(
        (page) => {
          list.markAll(page.items.map(draftKey));
          notify(
            page.total > page.items.length
              ? `Marked the first ${page.items.length} of ${page.total} shown (c clears)`
              : `Marked ${page.items.length} rows (c clears)`,
          );
        },
        (error: unknown) =>
          notify(`Cannot mark: ${error instanceof Error ? error.message : String(error)}`, 'red'),
      );
    },
    'queue.clearMarks': () => {
      list.clearMarks();
      notify('Marks cleared.');
    },
    'queue.sort': (_target, arg) => {
      const next: Sort | undefined =
        arg === undefined
          ? sort === 'age'
            ? '-age'
            : 'age'
          : arg === 'age' || arg === '-age'
            ? arg
            : undefined;
      if (!next)
        return notify(`Sort by "age" (oldest first) or "-age" (newest first), not "${arg}"`, 'yellow');
      setSort(next);
      list.select(0);
      notify(next === 'age' ? 'Sorted by age: oldest first' : 'Sorted by age: newest first');
    },
    'queue.loadSamples': () => {
      const loadSamples = port?.loadSamples;
      if (!loadSamples) return notify('This build ships no sample drafts.', 'yellow');
      void act(async () => {
        const r = await loadSamples();
        return `Loaded ${r.imported} sample drafts from ${r.file}${r.rejected ? ` (${r.rejected} lines refused)` : ''}`;
      });
    },
  };

  const detailDraft = (): DraftView | undefined => {
    const d = detailRef.current;
    if (!d) return undefined;
    const current = rowAt(pages.window, list.list.cursor);
    return current?.id === d.id ? current : undefined;
  };

  const DETAIL: Record<CommandOf<'detail'>, () => void> = {
    'detail.down': () => scrollDetail(1),
    'detail.up': () => scrollDetail(-1),
    'detail.pageDown': () => scrollDetail(Math.max(1, detailHeight - 1)),
    'detail.pageUp': () => scrollDetail(-Math.max(1, detailHeight - 1)),
    'detail.top': () => scrollDetail(-Infinity),
    'detail.bottom': () => scrollDetail(Infinity),
    'detail.close': () => setDetail(undefined),
  };

  function scrollDetail(delta: number) {
    const d = detailRef.current;
    const draft = detailDraft();
    if (!d || !draft) return;
    const max = Math.max(0, detailLines(draft).length - detailHeight);
    const scroll = Math.min(
      max,
      Math.max(0, d.scroll + (Number.isFinite(delta) ? delta : delta > 0 ? max : -max)),
    );
    if (scroll !== d.scroll) setDetail({ ...d, scroll });
  }

  const list = useListScreen<DraftView>({
    remote,
    loaded: !pages.loading,
    rowKey: draftKey,
    text: () => '',
    height: tableHeight,
    scopes: ['queue'],
    keys,
    memoryKey: 'queue',
    modeScopes: (): readonly Scope[] | undefined => (detailRef.current ? ['detail', 'queue'] : undefined),
    intercept: (input, key) => {
      const p = promptRef.current;
      if (!p || !port) return false;
      const outcome = promptKey(p, input, key, port.taxonomy);
      const index = list.list.cursor;
      switch (outcome.kind) {
        case 'stay':
          setPrompt(outcome.prompt);
          if (outcome.hint) notify(outcome.hint, 'yellow');
          return true;
        case 'cancel':
          setPrompt(undefined);
          notify(outcome.message);
          return true;
        case 'approve':
          setPrompt(undefined);
          approveOne(outcome.draft, index);
          return true;
        case 'approveMany':
          setPrompt(undefined);
          approveMany(outcome.ids);
          return true;
        case 'reject':
          setPrompt(undefined);
          reject(outcome.draft, outcome.category, outcome.note, index);
          return true;
      }
    },
    onCommand: (command: Command, target, arg) => {
      if (!port) return notify('The queue service is not available in this build.', 'yellow');
      if (command in DETAIL) return DETAIL[command as CommandOf<'detail'>]();
      if (command in QUEUE) return QUEUE[command as CommandOf<'queue'>](target, arg);
    },
  });

  // The filter the record applies follows the list's filter once typed (each keystroke asks again).
  useEffect(() => setFilter(list.list.filter), [list.list.filter]);
  useEffect(() => {
    const from = list.list.offset;
    if (view.from !== from || view.to !== from + tableHeight) setView({ from, to: from + tableHeight });
  }, [list.list.offset, tableHeight, view.from, view.to]);
  // The help bar shows the draft view's keys while it is open.
  const reading = detail !== undefined;
  useEffect(() => {
    setBarScopes(reading ? ['detail', 'queue'] : undefined);
    return () => setBarScopes(undefined);
  }, [reading, setBarScopes]);
  // The draft view follows its draft; it closes if the draft leaves the rows.
  const current = list.current;
  const openDraft = detail && current?.id === detail.id ? current : undefined;

  return {
    state: {
      available: port !== undefined,
      loading: pages.loading,
      error: pages.error,
      window: pages.window,
      total,
      list: list.list,
      current,
      prompt,
      detail: openDraft
        ? { draft: openDraft, scroll: detail?.scroll ?? 0, lines: detailLines(openDraft) }
        : undefined,
      detailMissing: detail !== undefined && openDraft === undefined,
      taxonomy: port?.taxonomy ?? [],
      canLoadSamples: port?.loadSamples !== undefined,
      now,
      slaMinutes: port?.slaMinutes ?? 0,
      serverUrl: services.server.url,
      operator: services.actor,
      header: header.data,
      sort,
      filterLiteral: parsed.literal,
    },
  };
}
