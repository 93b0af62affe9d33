using System.CommandLine;
using Parley.Cli.Output;
using Parley.Server.Federation.Outbound;
using Parley.Server.Storage;
using Parley.Xmpp.Addressing;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley federation peer-address add|remove|import|list</c>: the Advanced-mode directory of peer users (only a
/// recipient listed here is sent to the federation peer in Advanced routing mode). Public so tests can run it before
/// it is attached under <c>parley federation</c>.
/// </summary>
public static class FederationPeerAddressCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var command = new Command("peer-address", "Advanced routing mode: the SIP addresses of users hosted on the federation peer.");

        var addAddresses = new Argument<string[]>("ADDRESS") { Description = "sip:user@domain (one or more).", Arity = ArgumentArity.OneOrMore };
        var add = new Command("add", "List peer users (already listed ones are kept).") { addAddresses };
        add.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var addresses = result.GetValue(addAddresses)!.Select(ParseOrThrow).ToArray();
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var added = await Directory(context, store).AddAsync(addresses, cancellationToken);
            context.Output.WriteLine($"{added} peer address(es) added, {addresses.Length - added} already listed.");
            return ExitCodes.Ok;
        }));

        var removeAddress = new Argument<string>("ADDRESS") { Description = "sip:user@domain" };
        var remove = new Command("remove", "Stop listing a peer user.") { removeAddress };
        remove.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var address = ParseOrThrow(result.GetValue(removeAddress)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            if (!await Directory(context, store).RemoveAsync(address, cancellationToken))
            {
                context.Error.WriteLine($"sip:{address} is not listed; nothing changed. See `parley federation peer-address list`.");
                return ExitCodes.Refused;
            }

            context.Output.WriteLine($"sip:{address} removed.");
            return ExitCodes.Ok;
        }));

        var importFile = new Argument<string>("FILE") { Description = "One sip:user@domain per line; blank lines and lines starting with # are skipped." };
        var import = new Command("import", "List every peer user of a file (all or nothing: one bad line changes nothing).") { importFile };
        import.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var addresses = ReadImport(context, result.GetValue(importFile)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var added = await Directory(context, store).AddAsync(addresses, cancellationToken);
            context.Output.WriteLine($"{addresses.Count} address(es) read: {added} added, {addresses.Count - added} already listed.");
            return ExitCodes.Ok;
        }));

        var list = new Command("list", "List the peer users.") { common.Json };
        list.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var addresses = (await Directory(context, store).ListAsync(cancellationToken)).Select(a => "sip:" + a).ToArray();
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, addresses);
            }
            else
            {
                TableWriter.Write(context.Output, ["ADDRESS"], addresses.Select(a => new[] { a }));
            }

            return ExitCodes.Ok;
        }));

        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        command.Subcommands.Add(import);
        command.Subcommands.Add(list);
        return command;
    }

    private static PeerAddressDirectory Directory(CliContext context, ParleyStore store) => new(store.Database, context.Time);

    private static Jid ParseOrThrow(string text)
        => PeerAddressDirectory.Parse(text, out var problem) ?? throw new UsageException($"{problem}.");

    private static List<Jid> ReadImport(CliContext context, string path)
    {
        var full = Path.GetFullPath(path, context.WorkingDirectory);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {full}: {e.Message} Fix: give a readable text file with one sip:user@domain per line.");
        }

        var addresses = new List<Jid>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            addresses.Add(PeerAddressDirectory.Parse(line, out var problem)
                ?? throw new UsageException($"{full} line {i + 1}: {problem}. Nothing was imported."));
        }

        return addresses;
    }
}
