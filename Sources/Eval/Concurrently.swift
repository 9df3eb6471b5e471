/// Runs `body` over `items` with at most `limit` in flight, handing each result to `collect` as it
/// finishes (on the caller's task, so `collect` needs no locking).
func concurrently<Item: Sendable, Output: Sendable>(
    _ items: [Item],
    limit: Int,
    body: @escaping @Sendable (Item) async throws -> Output,
    collect: (Item, Result<Output, any Error>) async -> Void
) async {
    await withTaskGroup(of: (Item, Result<Output, any Error>).self) { group in
        var next = items.makeIterator()
        func start() {
            guard let item = next.next() else { return }
            group.addTask {
                do { return (item, .success(try await body(item))) } catch { return (item, .failure(error)) }
            }
        }
        for _ in 0..<max(1, limit) { start() }
        for await (item, result) in group {
            await collect(item, result)
            start()
        }
    }
}
