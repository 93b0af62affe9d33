using System.CommandLine;
using Parley.Cli.Output;
using Parley.Server.Management;

namespace Parley.Cli.Commands;

internal static class SettingsCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var settings = new Command("settings", "Deployment settings kept in the store; every change makes a new revision.");
        var presence = new Command("presence", "Presence policy: contact list and watcher limits, auto-approve, NOTIFY coalescing.");
        presence.Subcommands.Add(Show(context, common));
        presence.Subcommands.Add(Set(context, common));
        settings.Subcommands.Add(presence);
        settings.Subcommands.Add(History(context, common));
        return settings;
    }

    private static Command Show(CliContext context, CommonOptions common)
    {
        var command = new Command("show", "Show the presence settings in force.") { common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var snapshot = store.Settings.Current;
            var presence = snapshot.Presence;
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, new
                {
                    revision = snapshot.Revision,
                    maxContacts = presence.MaxContactListSize,
                    maxWatchers = presence.MaxWatchers,
                    autoApprove = presence.AutoApproveLocalDomain,
                    notifyCoalescingMs = presence.NotifyCoalescingMs,
                });
            }
            else
            {
                TableWriter.Write(context.Output, ["SETTING", "VALUE"],
                [
                    ["max-contacts", Formats.Limit(presence.MaxContactListSize)],
                    ["max-watchers", Formats.Limit(presence.MaxWatchers)],
                    ["auto-approve", presence.AutoApproveLocalDomain ? "on" : "off"],
                    ["notify-coalescing", $"{presence.NotifyCoalescingMs} ms"],
                    ["revision", snapshot.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                ]);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Set(CliContext context, CommonOptions common)
    {
        var maxContacts = new Option<string?>("--max-contacts") { Description = "Maximum contact list size per user: a number, or unlimited (default 200).", HelpName = "N|unlimited" };
        var maxWatchers = new Option<string?>("--max-watchers") { Description = "Maximum watchers of one user's presence: a number, or unlimited (default 200).", HelpName = "N|unlimited" };
        var autoApprove = new Option<string?>("--auto-approve") { Description = "Approve subscription requests from local-domain users without asking (default on).", HelpName = "on|off" };
        var coalescing = new Option<string?>("--notify-coalescing-ms")
        {
            Description = $"Milliseconds a user's presence changes are gathered into one NOTIFY to SIP watchers (0-{PresenceSettingsValidation.MaxNotifyCoalescingMs}, default {PresenceSettings.DefaultNotifyCoalescingMs}; 0 = at once).",
            HelpName = "MS",
        };
        var command = new Command("set", "Change presence settings; options not given keep their value. Creates the store if there is none.")
        {
            maxContacts, maxWatchers, autoApprove, coalescing,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var contactsText = result.GetValue(maxContacts);
            var watchersText = result.GetValue(maxWatchers);
            var approveText = result.GetValue(autoApprove);
            var coalescingText = result.GetValue(coalescing);
            if (contactsText is null && watchersText is null && approveText is null && coalescingText is null)
            {
                throw new UsageException("nothing to change. Fix: give at least one of --max-contacts, --max-watchers, --auto-approve, --notify-coalescing-ms.");
            }

            // Parse everything before opening the store, so a typo changes nothing.
            var contacts = contactsText is null ? default((bool, int?)?) : (true, Arguments.Limit("--max-contacts", contactsText));
            var watchers = watchersText is null ? default((bool, int?)?) : (true, Arguments.Limit("--max-watchers", watchersText));
            var approve = approveText is null ? (bool?)null : Arguments.OnOff("--auto-approve", approveText);
            var coalescingMs = coalescingText is null ? (int?)null : Arguments.Milliseconds("--notify-coalescing-ms", coalescingText, PresenceSettingsValidation.MaxNotifyCoalescingMs);

            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: true, cancellationToken);
            var current = store.Settings.Current.Presence;
            var updated = current with
            {
                MaxContactListSize = contacts is { } c ? c.Item2 : current.MaxContactListSize,
                MaxWatchers = watchers is { } w ? w.Item2 : current.MaxWatchers,
                AutoApproveLocalDomain = approve ?? current.AutoApproveLocalDomain,
                NotifyCoalescingMs = coalescingMs ?? current.NotifyCoalescingMs,
            };
            if (PresenceSettingsValidation.Validate(updated) is { } problem)
            {
                throw new UsageException(problem);
            }

            await store.Cms.SetPresenceSettingsAsync(updated, context.Actor, cancellationToken);
            context.Output.WriteLine($"Presence settings changed (revision {store.Settings.Current.Revision}): max-contacts {Formats.Limit(updated.MaxContactListSize)}, max-watchers {Formats.Limit(updated.MaxWatchers)}, auto-approve {(updated.AutoApproveLocalDomain ? "on" : "off")}, notify-coalescing {updated.NotifyCoalescingMs} ms.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Also `parley config history`.</summary>
    internal static Command History(CliContext context, CommonOptions common)
    {
        var limit = new Option<int>("--limit") { Description = "How many revisions, newest first.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var command = new Command("history", "Configuration revisions: when, who (actor) and what changed.") { limit, common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var count = result.GetValue(limit);
            if (count <= 0)
            {
                throw new UsageException($"--limit: {count} is not a positive number.");
            }

            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var changes = await store.Cms.ListChangesAsync(count, cancellationToken);
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, changes);
            }
            else
            {
                TableWriter.Write(context.Output, ["REVISION", "TIME", "ACTOR", "CHANGE"],
                    changes.Select(c => new[] { c.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), Formats.Time(c.Time), c.Actor, c.Description }));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
