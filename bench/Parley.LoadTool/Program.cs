using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Parley.LoadTool;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"parley-load: {e.Message}\n\n{LoadOptions.Usage}");
    return 2;
}

try
{
    return await new LoadRun(options).RunAsync();
}
catch (LoadFailedException e)
{
    Console.Error.WriteLine($"parley-load: {e.Message}");
    return 1;
}

namespace Parley.LoadTool
{
    public sealed class LoadFailedException(string message) : Exception(message);

    /// <summary>One run: log in, set up rosters, measure messages, presence and memory.</summary>
    public sealed class LoadRun(LoadOptions options)
    {
        private readonly LoadStats _stats = new();
        private readonly Dictionary<string, object?> _results = new();
        private readonly List<(string Name, string Value)> _table = [];
        private XmppLoadClient[] _clients = [];

        public async Task<int> RunAsync()
        {
            var ca = options.CaFile is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(options.CaFile));
            Record("label", options.Label, "server", options.Label);
            Record("users", options.Users, "users", options.Users.ToString(CultureInfo.InvariantCulture));
            Record("contacts", options.Contacts, "contacts per user", options.Contacts.ToString(CultureInfo.InvariantCulture));
            Log($"{options.Label}: {options.Users} users on {options.Host}:{options.Port} ({options.Domain}), {options.Contacts} contacts each");

            if (options.Register)
            {
                await RegisterAsync(ca);
            }

            var rssBefore = ServerProcess.RssBytes(options.ServerPid);
            await LoginAsync(ca);
            await SetUpRostersAsync();
            await WaitForQuietAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
            GC.Collect();
            var rssAfter = ServerProcess.RssBytes(options.ServerPid);
            var online = _clients.Count(c => c.Connected);
            if (rssBefore is long before && rssAfter is long after)
            {
                var perSession = (after - before) / (double)Math.Max(1, online);
                Record("server_rss_before_kb", before / 1024, "server RSS before login", $"{before / 1048576.0:0.0} MB");
                Record("server_rss_after_kb", after / 1024, "server RSS with sessions", $"{after / 1048576.0:0.0} MB");
                Record("server_rss_per_session_kb", Math.Round(perSession / 1024, 1), "server RSS per session", $"{perSession / 1024:0.0} KB");
            }

            if (options.Resources > 1)
            {
                Log($"{options.Resources} sessions per user: measuring login and memory only");
            }
            else if (options.Messages > 0)
            {
                await MeasureMessagesAsync();
            }

            if (options.PresenceChanges > 0 && options.Resources == 1)
            {
                await MeasurePresenceAsync();
            }

            Record("load_tool_rss_kb", Environment.WorkingSet / 1024, "load tool RSS", $"{Environment.WorkingSet / 1048576.0:0.0} MB");
            Record("errors", Interlocked.Read(ref _stats.Errors), "error stanzas received", Interlocked.Read(ref _stats.Errors).ToString(CultureInfo.InvariantCulture));
            var disconnected = _clients.Count(c => !c.Connected);
            Record("sessions_lost", disconnected, "sessions lost during the run", disconnected.ToString(CultureInfo.InvariantCulture));
            if (disconnected > 0)
            {
                foreach (var reason in _clients.Where(c => !c.Connected).GroupBy(c => c.Failure).Take(5))
                {
                    Log($"  {reason.Count()} sessions lost: {reason.Key}");
                }
            }

            if (options.HoldAfter > TimeSpan.Zero)
            {
                Log($"holding the sessions for {options.HoldAfter.TotalSeconds:0} s");
                await Task.Delay(options.HoldAfter);
            }

            await Task.WhenAll(_clients.Select(c => c.CloseAsync()));
            await Task.Delay(200);
            await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
            PrintTable();
            await WriteJsonAsync();
            return disconnected == 0 ? 0 : 1;
        }

        private async Task RegisterAsync(X509Certificate2? ca)
        {
            var watch = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(options.LoginConcurrency);
            var failures = 0;
            string? firstFailure = null;
            await Task.WhenAll(Enumerable.Range(0, options.Users).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await new XmppLoadClient(i, options, _stats).RegisterAsync(ca, CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
                finally
                {
                    gate.Release();
                }
            }));
            Log($"registered {options.Users - failures} users in {watch.Elapsed.TotalSeconds:0.0} s");
            if (failures > 0)
            {
                throw new LoadFailedException($"{failures} registrations failed, first: {firstFailure}");
            }
        }

        private async Task LoginAsync(X509Certificate2? ca)
        {
            // The first Users clients are the users' primary sessions (index = user); extra resources follow.
            _clients = Enumerable.Range(0, options.Users * options.Resources)
                .Select(k => new XmppLoadClient(k % options.Users, options, _stats, k < options.Users ? "load" : $"load{(k / options.Users) + 1}"))
                .ToArray();
            using var gate = new SemaphoreSlim(options.LoginConcurrency);
            var failures = 0;
            string? firstFailure = null;
            var watch = Stopwatch.StartNew();
            var progress = StartProgress(() => $"logged in {_clients.Count(c => c.FullJid is not null)}/{_clients.Length}");
            await Task.WhenAll(_clients.Select(async c =>
            {
                await gate.WaitAsync();
                try
                {
                    using var cts = new CancellationTokenSource(options.PhaseTimeout);
                    await c.LoginAsync(ca, cts.Token);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"{c.Jid}: {e.Message}", null);
                }
                finally
                {
                    gate.Release();
                }
            }));
            progress.Cancel();
            var seconds = watch.Elapsed.TotalSeconds;
            Record("login_seconds", Math.Round(seconds, 2), "login (TLS+SASL+bind+roster+presence)",
                $"{_clients.Length - failures} sessions in {seconds:0.0} s ({(_clients.Length - failures) / seconds:0}/s)");
            Record("login_failures", failures, "login failures", failures.ToString(CultureInfo.InvariantCulture));
            if (failures > 0)
            {
                throw new LoadFailedException($"{failures} of {_clients.Length} logins failed, first: {firstFailure}");
            }
        }

        /// <summary>Makes every roster hold the user's ring neighbours with subscription 'both'.</summary>
        private async Task SetUpRostersAsync()
        {
            if (options.Contacts == 0)
            {
                return;
            }

            var incomplete = _clients.Take(options.Users).Where(c => c.BothSubscriptions < options.Contacts).ToArray();
            if (incomplete.Length == 0)
            {
                Record("roster_setup_seconds", 0, "roster setup", "rosters already complete");
                return;
            }

            Log($"{incomplete.Length} rosters incomplete: setting up {options.Contacts} mutual subscriptions per user");
            var watch = Stopwatch.StartNew();
            var targets = new HashSet<int>(incomplete.Select(c => c.Index));
            foreach (var c in incomplete)
            {
                foreach (var j in options.ContactsOf(c.Index))
                {
                    targets.Add(j);
                }
            }

            // Pre-approve, then subscribe; the clients also approve any request that arrives.
            await ForEachClientAsync(targets.Select(i => _clients[i]), async c =>
            {
                var sb = new StringBuilder();
                foreach (var j in options.ContactsOf(c.Index))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<presence to='{options.Jid(j)}' type='subscribed'/>");
                }

                await c.SendAsync(sb.ToString());
            });
            await ForEachClientAsync(targets.Select(i => _clients[i]), async c =>
            {
                var sb = new StringBuilder();
                foreach (var j in options.ContactsOf(c.Index))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<presence to='{options.Jid(j)}' type='subscribe'/>");
                }

                await c.SendAsync(sb.ToString());
            });

            var deadline = Stopwatch.StartNew();
            var previousMissing = int.MaxValue;
            while (true)
            {
                // Let the server work through the requests (it may be slow: every change is stored).
                await WaitForQuietAsync(TimeSpan.FromSeconds(3), options.PhaseTimeout - deadline.Elapsed);
                var failures = await ForEachClientAsync(_clients, c => c.RefreshRosterAsync(CancellationToken.None), options.LoginConcurrency);
                var missing = _clients.Count(c => c.BothSubscriptions < options.Contacts);
                Log($"rosters complete: {options.Users - missing}/{options.Users}{(failures > 0 ? $" ({failures} roster gets failed)" : "")}");
                if (missing == 0)
                {
                    break;
                }

                if (deadline.Elapsed > options.PhaseTimeout)
                {
                    throw new LoadFailedException($"{missing} rosters still incomplete after {options.PhaseTimeout.TotalSeconds:0} s");
                }

                if (missing < previousMissing)
                {
                    previousMissing = missing; // progress: give the server more time
                    continue;
                }

                // No progress while quiet: a server may have dropped requests under load; send the missing ones again.
                Log($"re-sending the subscription requests of {missing} incomplete rosters");
                await ForEachClientAsync(_clients.Where(c => c.BothSubscriptions < options.Contacts), async c =>
                {
                    var sb = new StringBuilder();
                    foreach (var j in options.ContactsOf(c.Index))
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"<presence to='{options.Jid(j)}' type='subscribed'/><presence to='{options.Jid(j)}' type='subscribe'/>");
                    }

                    await c.SendAsync(sb.ToString());
                });
            }

            Record("roster_setup_seconds", Math.Round(watch.Elapsed.TotalSeconds, 1), "roster setup", $"{watch.Elapsed.TotalSeconds:0.0} s");
            // Subscriptions made now only show presence from now on: re-announce so every contact has a fresh view.
            await ForEachClientAsync(_clients, c => c.SendAsync("<presence/>"));
        }

        private async Task MeasureMessagesAsync()
        {
            var expected = (long)_clients.Count(c => c.Connected) * options.Messages;
            var cpuBefore = ServerProcess.CpuSeconds(options.ServerPid);
            Interlocked.Exchange(ref _stats.MessagesReceived, 0);
            var start = Stopwatch.GetTimestamp();
            var progress = StartProgress(() => $"messages delivered {Interlocked.Read(ref _stats.MessagesReceived)}/{expected}");
            await ForEachClientAsync(_clients, async c =>
            {
                var contacts = options.ContactsOf(c.Index).Select(options.Jid).ToArray();
                if (contacts.Length == 0)
                {
                    return;
                }

                // Batches of up to 10 stanzas per write, as a busy client would pipeline them.
                var sb = new StringBuilder();
                for (var k = 0; k < options.Messages; k++)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<message to='{contacts[k % contacts.Length]}' type='chat' id='m{k}'><body>load message {k} from {c.Index}</body></message>");
                    if (k % 10 == 9 || k == options.Messages - 1)
                    {
                        await c.SendAsync(sb.ToString());
                        sb.Clear();
                    }
                }
            });
            var sentSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var delivered = await WaitForCountAsync(() => Interlocked.Read(ref _stats.MessagesReceived), expected);
            progress.Cancel();
            var seconds = Stopwatch.GetElapsedTime(start, Math.Max(start + 1, Volatile.Read(ref _stats.LastMessageTimestamp))).TotalSeconds;
            var cpuAfter = ServerProcess.CpuSeconds(options.ServerPid);
            Record("messages_sent", expected, "messages sent", $"{expected} (all sent in {sentSeconds:0.00} s)");
            Record("messages_delivered", delivered, "messages delivered", $"{delivered} ({100.0 * delivered / Math.Max(1, expected):0.0} %)");
            Record("messages_per_second", Math.Round(delivered / seconds), "message throughput", $"{delivered / seconds:0} msg/s");
            if (cpuBefore is double b && cpuAfter is double a && delivered > 0)
            {
                Record("message_server_cpu_us", Math.Round((a - b) * 1e6 / delivered, 1), "server CPU per message", $"{(a - b) * 1e6 / delivered:0.0} µs");
            }
        }

        private async Task MeasurePresenceAsync()
        {
            var online = _clients.Where(c => c.Connected).Select(c => c.Index).ToHashSet();
            var expected = online.Sum(i => (long)options.ContactsOf(i).Count(online.Contains)) * options.PresenceChanges;
            await WaitForQuietAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
            var cpuBefore = ServerProcess.CpuSeconds(options.ServerPid);
            Interlocked.Exchange(ref _stats.PresenceReceived, 0);
            var start = Stopwatch.GetTimestamp();
            var shows = new[] { "away", "dnd", "xa", "chat" };
            var progress = StartProgress(() => $"presence delivered {Interlocked.Read(ref _stats.PresenceReceived)}/{expected}");
            await ForEachClientAsync(_clients, async c =>
            {
                for (var k = 0; k < options.PresenceChanges; k++)
                {
                    await c.SendAsync($"<presence><show>{shows[(c.Index + k) % shows.Length]}</show><status>load status {k}</status></presence>");
                }
            });
            var delivered = await WaitForCountAsync(() => Interlocked.Read(ref _stats.PresenceReceived), expected);
            progress.Cancel();
            var seconds = Stopwatch.GetElapsedTime(start, Math.Max(start + 1, Volatile.Read(ref _stats.LastPresenceTimestamp))).TotalSeconds;
            var cpuAfter = ServerProcess.CpuSeconds(options.ServerPid);
            Record("presence_sent", (long)online.Count * options.PresenceChanges, "presence changes sent", $"{online.Count * options.PresenceChanges}");
            Record("presence_expected", expected, "presence deliveries expected", expected.ToString(CultureInfo.InvariantCulture));
            Record("presence_delivered", delivered, "presence deliveries", $"{delivered} ({100.0 * delivered / Math.Max(1, expected):0.0} %)");
            Record("presence_per_second", Math.Round(delivered / seconds), "presence throughput", $"{delivered / seconds:0} deliveries/s");
            if (cpuBefore is double b && cpuAfter is double a && delivered > 0)
            {
                Record("presence_server_cpu_us", Math.Round((a - b) * 1e6 / delivered, 1), "server CPU per delivery", $"{(a - b) * 1e6 / delivered:0.0} µs");
            }
        }

        /// <summary>Waits until count reaches expected, or no progress for 10 s, or the phase timeout.</summary>
        private async Task<long> WaitForCountAsync(Func<long> count, long expected)
        {
            var watch = Stopwatch.StartNew();
            var last = -1L;
            var lastChange = Stopwatch.StartNew();
            while (true)
            {
                var now = count();
                if (now >= expected)
                {
                    return now;
                }

                if (now != last)
                {
                    last = now;
                    lastChange.Restart();
                }

                if (lastChange.Elapsed > TimeSpan.FromSeconds(10) || watch.Elapsed > options.PhaseTimeout)
                {
                    Log($"stopped waiting: {now}/{expected} after {watch.Elapsed.TotalSeconds:0} s");
                    return now;
                }

                await Task.Delay(20);
            }
        }

        private async Task WaitForQuietAsync(TimeSpan quiet, TimeSpan limit)
        {
            var watch = Stopwatch.StartNew();
            while (_stats.SinceLastActivity < quiet && watch.Elapsed < limit)
            {
                await Task.Delay(100);
            }
        }

        /// <summary>Runs action for every connected client (at most limit at once); returns how many failed.</summary>
        private static async Task<int> ForEachClientAsync(IEnumerable<XmppLoadClient> clients, Func<XmppLoadClient, Task> action, int limit = int.MaxValue)
        {
            var failures = 0;
            string? first = null;
            using var gate = new SemaphoreSlim(Math.Min(limit, 100_000));
            await Task.WhenAll(clients.Where(c => c.Connected).Select(async c =>
            {
                await gate.WaitAsync();
                try
                {
                    await Task.Yield();
                    await action(c);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or TimeoutException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref first, $"{c.Jid}: {e.Message}", null);
                }
                finally
                {
                    gate.Release();
                }
            }));
            if (failures > 0)
            {
                Log($"  {failures} clients failed, first: {first}");
            }

            return failures;
        }

        private static CancellationTokenSource StartProgress(Func<string> describe)
        {
            var cts = new CancellationTokenSource();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(5), cts.Token);
                        Log("  " + describe());
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
            return cts;
        }

        private void Record(string key, object? value, string label, string display)
        {
            _results[key] = value;
            _table.Add((label, display));
        }

        private void PrintTable()
        {
            var width = _table.Max(r => r.Name.Length);
            Console.WriteLine();
            foreach (var (name, value) in _table)
            {
                Console.WriteLine($"{name.PadRight(width)}  {value}");
            }
        }

        private async Task WriteJsonAsync()
        {
            if (options.JsonPath is null)
            {
                return;
            }

            _results["date"] = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture);
            _results["machine"] = $"{Environment.MachineName}, {Environment.ProcessorCount} cores";
            var json = JsonSerializer.Serialize(_results, new JsonSerializerOptions { WriteIndented = true });
            if (options.JsonPath == "-")
            {
                Console.WriteLine(json);
            }
            else
            {
                await File.WriteAllTextAsync(options.JsonPath, json + "\n");
            }
        }

        private static void Log(string text) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");
    }
}
