// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * Every item of a cursor-paged list, page after page: the lists of the CYNOD API answer
 * `{ items, nextCursor }` (null on the last page), the events feed `{ items, nextCursor,
 * hasMore }`; the next page is asked with `cursor: nextCursor`, until the last one (a feed:
 * until no more events are waiting).
 *
 *   for await (const operation of paginate((cursor) => partner.listPartnerOperations({ cursor, limit: 100 }))) {
 *     console.log(operation.id);
 *   }
 *
 * Keep the last page's cursor to resume later: an events feed's `nextCursor` also gives the
 * events that come after it.
 */
export interface CursorPage<T> {
  data: { items: T[]; nextCursor?: string | null; hasMore?: boolean };
}

export async function* paginate<T>(page: (cursor: string | undefined) => Promise<CursorPage<T>>, cursor?: string): AsyncGenerator<T, void, undefined> {
  let next: string | null | undefined = cursor;
  do {
    const answer = await page(next ?? undefined);
    yield* answer.data.items;
    next = answer.data.hasMore === false ? null : answer.data.nextCursor;
  } while (next);
}
