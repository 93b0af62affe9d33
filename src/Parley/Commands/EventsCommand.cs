using System.CommandLine;
using System.Globalization;
using Parley.Cli.Output;
using Parley.Server.Diagnostics;

namespace Parley.Cli.Commands;

internal static class EventsCommand
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var id = new Option<int?>("--id") { Description = "Only events with this ID; also shows their cause and resolution.", HelpName = "N" };
        var since = new Option<string?>("--since") { Description = "Only events at or after T: ISO-8601 (2025-01-31T08:00:00Z) or a duration back from now (30s, 10m, 2h, 1d).", HelpName = "T" };
        var limit = new Option<int>("--limit") { Description = "How many events, newest first.", DefaultValueFactory = _ => 50, HelpName = "N" };
        var command = new Command("events", "Stored events: authentication and TLS failures, limits reached, storage errors, node lifecycle.")
        {
            id, since, limit, common.Json,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var count = result.GetValue(limit);
            if (count <= 0)
            {
                throw new UsageException($"--limit: {count} is not a positive number.");
            }

            var from = result.GetValue(since) is { } text ? Arguments.Since(text, context.Time.GetUtcNow()) : (DateTimeOffset?)null;
            var only = result.GetValue(id);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var events = await store.Events.QueryAsync(only, from, count, cancellationToken);
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, events);
                return ExitCodes.Ok;
            }

            TableWriter.Write(context.Output, ["TIME", "ID", "LEVEL", "SOURCE", "MESSAGE"],
                events.Select(e => new[] { Formats.Time(e.Time), e.Id.ToString(CultureInfo.InvariantCulture), e.Level.ToString(), e.Source, e.Message }));
            if (only is { } wanted)
            {
                // Stored events carry the text they were raised with; fall back to the catalogue when none matched.
                var definition = EventCatalogue.Find(wanted);
                var cause = events.Count > 0 ? events[0].Cause : definition?.Cause;
                var resolution = events.Count > 0 ? events[0].Resolution : definition?.Resolution;
                if (cause is not null && resolution is not null)
                {
                    context.Output.WriteLine();
                    context.Output.WriteLine($"Cause:      {cause}");
                    context.Output.WriteLine($"Resolution: {resolution}");
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
