-- wrk script for benchmarks/sandbox-wrk.sh: every request is the same upsertUser call, so the
-- sandbox's state stays one user however many requests it answers (its memory should stay flat).
-- The key can be changed with JOURNY_BENCH_KEY; journy-sandbox with no key configured accepts "sandbox".

wrk.method = "POST"
wrk.path = "/users/upsert"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = os.getenv("JOURNY_BENCH_KEY") or "sandbox"
wrk.body = '{"identification":{"userId":"bench-user-1","email":"bench@example.com"},'
    .. '"properties":{"plan":"Pro","mrr":399,"is_paying":true,'
    .. '"registered_at":"2024-05-01T10:00:00Z","tags":["alpha","beta"]}}'
