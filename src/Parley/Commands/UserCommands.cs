using System.CommandLine;
using Parley.Cli.Output;

namespace Parley.Cli.Commands;

internal static class UserCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var user = new Command("user", "Users: add, import (many from a CSV file), change password, disable, enable, remove, list. The data directory must already hold a store (see `parley domain add`).");
        user.Subcommands.Add(Add(context, common));
        user.Subcommands.Add(UserImportCommand.Create(context, common));
        user.Subcommands.Add(Passwd(context, common));
        user.Subcommands.Add(SetEnabled(context, common, enabled: false));
        user.Subcommands.Add(SetEnabled(context, common, enabled: true));
        user.Subcommands.Add(Remove(context, common));
        user.Subcommands.Add(List(context, common));
        return user;
    }

    private static Command Add(CliContext context, CommonOptions common)
    {
        var jid = JidArgument();
        var password = PasswordOptions();
        var command = new Command("add", "Add an enabled user in a hosted domain. Only SCRAM-SHA-1/-256 salted hashes of the password are stored.")
        {
            jid, password.Password, password.File,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var address = Arguments.UserJid(result.GetValue(jid)!);
            var secret = ReadPassword(context, result, password);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            await store.Users.AddUserAsync(address, secret, context.Actor, cancellationToken);
            context.Output.WriteLine($"User {address} added (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Passwd(CliContext context, CommonOptions common)
    {
        var jid = JidArgument();
        var password = PasswordOptions();
        var command = new Command("passwd", "Set a user's password.") { jid, password.Password, password.File };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var address = Arguments.UserJid(result.GetValue(jid)!);
            var secret = ReadPassword(context, result, password);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            await store.Users.SetPasswordAsync(address, secret, context.Actor, cancellationToken);
            context.Output.WriteLine($"Password of {address} changed (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command SetEnabled(CliContext context, CommonOptions common, bool enabled)
    {
        var jid = JidArgument();
        var command = new Command(enabled ? "enable" : "disable",
            enabled ? "Allow a disabled user to log in again." : "Refuse the user's logins (their data is kept).") { jid };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var address = Arguments.UserJid(result.GetValue(jid)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            await store.Users.SetEnabledAsync(address, enabled, context.Actor, cancellationToken);
            context.Output.WriteLine($"User {address} {(enabled ? "enabled" : "disabled")} (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Remove(CliContext context, CommonOptions common)
    {
        var jid = JidArgument();
        var command = new Command("remove", "Remove a user with their contact list, allow/block lists and offline messages. Other users keep them as a contact.") { jid };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var address = Arguments.UserJid(result.GetValue(jid)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            await store.Users.RemoveUserAsync(address, context.Actor, cancellationToken);
            context.Output.WriteLine($"User {address} removed (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CliContext context, CommonOptions common)
    {
        var domain = new Option<string?>("--domain") { Description = "Only users of this domain.", HelpName = "DOMAIN" };
        var command = new Command("list", "List users.") { domain, common.Json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var only = result.GetValue(domain) is { } text ? Parley.Server.Directory.SqliteUserDirectory.NormaliseDomain(text) : null;
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var users = await store.Users.ListUsersAsync(only, cancellationToken);
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, users.Select(u => new { jid = u.Jid.ToString(), enabled = u.Enabled, created = u.Created }));
            }
            else
            {
                TableWriter.Write(context.Output, ["JID", "STATUS", "CREATED"],
                    users.Select(u => new[] { u.Jid.ToString(), u.Enabled ? "enabled" : "disabled", Formats.Time(u.Created) }));
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Argument<string> JidArgument() => new("JID") { Description = "The user's bare address, e.g. alice@example.com." };

    private static PasswordInputs PasswordOptions() => new(
        new Option<string?>("--password") { Description = "The password (visible in the process list and shell history: prefer --password-file).", HelpName = "P" },
        new Option<string?>("--password-file") { Description = "Read the password from the first line of file F, or from standard input when F is '-'.", HelpName = "F" });

    private static string ReadPassword(CliContext context, ParseResult result, PasswordInputs inputs)
    {
        var inline = result.GetValue(inputs.Password);
        var file = result.GetValue(inputs.File);
        if (inline is not null && file is not null)
        {
            throw new UsageException("give either --password or --password-file, not both.");
        }

        if (inline is not null)
        {
            return inline.Length > 0 ? inline : throw new UsageException("--password is empty. Fix: give a non-empty password.");
        }

        if (file is null)
        {
            throw new UsageException("a password is required. Fix: add --password P, --password-file F, or --password-file - to read it from standard input.");
        }

        string? line;
        if (file == "-")
        {
            line = context.Input.ReadLine();
        }
        else
        {
            try
            {
                using var reader = new StreamReader(Path.GetFullPath(file, context.WorkingDirectory));
                line = reader.ReadLine();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--password-file: cannot read {file}: {e.Message} Fix: give a readable file whose first line is the password.");
            }
        }

        return string.IsNullOrEmpty(line)
            ? throw new UsageException($"--password-file: {(file == "-" ? "standard input" : file)} holds no password on its first line.")
            : line;
    }

    private sealed record PasswordInputs(Option<string?> Password, Option<string?> File);
}
