using System.CommandLine;
using Parley.Cli.Output;

namespace Parley.Cli.Commands;

internal static class DomainCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var domain = new Command("domain", "Hosted domains: the domains whose users this deployment serves.");

        var addName = new Argument<string>("DOMAIN") { Description = "DNS domain, e.g. example.com." };
        var add = new Command("add", "Host a domain (creates the store in the data directory if there is none).") { addName };
        add.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            // Validate before opening: a bad name must not create a store as a side effect.
            var name = Normalised(result.GetValue(addName)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: true, cancellationToken);
            await store.Users.AddDomainAsync(name, context.Actor, cancellationToken);
            context.Output.WriteLine($"Domain {name} added (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));

        var list = new Command("list", "List hosted domains.") { common.Json };
        list.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            var domains = await store.Users.ListDomainsAsync(cancellationToken);
            if (result.GetValue(common.Json))
            {
                JsonOutput.Write(context.Output, domains);
            }
            else
            {
                TableWriter.Write(context.Output, ["DOMAIN"], domains.Select(d => new[] { d }));
            }

            return ExitCodes.Ok;
        }));

        var removeName = new Argument<string>("DOMAIN") { Description = "A hosted domain with no users left." };
        var remove = new Command("remove", "Stop hosting a domain (refused while it has users).") { removeName };
        remove.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async () =>
        {
            var name = Normalised(result.GetValue(removeName)!);
            await using var store = await context.OpenStoreAsync(context.DataDirectory(result.GetValue(common.Data)), create: false, cancellationToken);
            await store.Users.RemoveDomainAsync(name, context.Actor, cancellationToken);
            context.Output.WriteLine($"Domain {name} removed (revision {store.Settings.Current.Revision}).");
            return ExitCodes.Ok;
        }));

        domain.Subcommands.Add(add);
        domain.Subcommands.Add(list);
        domain.Subcommands.Add(remove);
        return domain;
    }

    private static string Normalised(string domain) => Parley.Server.Directory.SqliteUserDirectory.NormaliseDomain(domain);
}
