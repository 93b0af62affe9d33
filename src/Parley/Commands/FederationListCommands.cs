using System.CommandLine;
using Parley.Cli.Output;
using Parley.Server.Management.Documents;

namespace Parley.Cli.Commands;

/// <summary>
/// The three federation documents that are plain lists of one value and a description: the incoming ACL, TLS peer
/// subjects and SIP federation domains. Each gets <c>add VALUE [--description TEXT]</c>, <c>remove VALUE</c> and
/// <c>list [--json]</c>.
/// </summary>
internal static class FederationListCommands
{
    public static readonly EntryList<AclEntry> Acl = new(
        "acl", "Incoming ACL: sources trusted to send SIP without a digest challenge (every server and pool of the peer, by address and by name).",
        "ADDRESS", "all, an IP address, a CIDR network, an FQDN or a domain.", "ACL entry", "ACL entries",
        DocumentNames.IncomingAcl, "ADDRESS", ConfigurationNormalizer.Address,
        (value, description) => new AclEntry(value, description), e => e.Address, e => e.Description);

    public static readonly EntryList<TlsPeerSubject> PeerSubjects = new(
        "peer-subject", "TLS peer subjects: the certificate subject CNs (never SANs) a peer may present on the peer-auth listener.",
        "CN", "The certificate subject common name, e.g. lync.partner.com; compared without case.", "peer subject", "peer subjects",
        DocumentNames.TlsPeerSubjects, "SUBJECT", ConfigurationNormalizer.Name,
        (value, description) => new TlsPeerSubject(value, description), e => e.Subject, e => e.Description);

    public static readonly EntryList<SipFederationDomain> Domains = new(
        "domain", "SIP federation domains: remote domains reached through the peer; each needs a static route to the peer (until it has one, requests for it fail with the no-static-route event). The seed's order: domain, then route; to remove, route, then domain.",
        "DOMAIN", "The remote domain, e.g. partner.com.", "SIP federation domain", "SIP federation domains",
        DocumentNames.SipFederationDomains, "DOMAIN", ConfigurationNormalizer.Name,
        (value, description) => new SipFederationDomain(value, description), e => e.Domain, e => e.Description);

    public static Command Create<T>(CliContext context, CommonOptions common, EntryList<T> list)
    {
        var command = new Command(list.Command, list.Help);
        command.Subcommands.Add(Add(context, common, list));
        command.Subcommands.Add(Remove(context, common, list));
        command.Subcommands.Add(FederationCommands.List(context, common, list.Plural, list.Document, list.Table));
        return command;
    }

    private static Command Add<T>(CliContext context, CommonOptions common, EntryList<T> list)
    {
        var value = new Argument<string>(list.Argument) { Description = list.ArgumentHelp };
        var description = new Option<string?>("--description") { Description = "Free text, e.g. the server's role.", HelpName = "TEXT" };
        var command = new Command("add", $"Add a {list.Noun}.") { value, description };
        command.SetAction((result, cancellationToken) =>
        {
            var given = result.GetValue(value)!;
            return FederationCommands.Change(context, common, result, $"{list.Noun} {given} added",
                c => list.With(c, [.. list.Get(c), list.Create(given, result.GetValue(description))]), cancellationToken);
        });
        return command;
    }

    private static Command Remove<T>(CliContext context, CommonOptions common, EntryList<T> list)
    {
        var value = new Argument<string>(list.Argument) { Description = list.ArgumentHelp };
        var command = new Command("remove", $"Remove a {list.Noun}.") { value };
        command.SetAction((result, cancellationToken) =>
        {
            var given = result.GetValue(value)!;
            return FederationCommands.Change(context, common, result, $"{list.Noun} {given} removed", c =>
            {
                var key = list.Normalize(given);
                var entries = list.Get(c);
                var kept = entries.Where(e => list.Normalize(list.Key(e)) != key).ToArray();
                return kept.Length < entries.Count
                    ? list.With(c, kept)
                    : throw new UsageException($"there is no {list.Noun} {given}. Fix: check it with `parley federation {list.Command} list`.");
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>One such list: its command, help texts, document and how to make, key and describe an entry.</summary>
    internal sealed record EntryList<T>(
        string Command,
        string Help,
        string Argument,
        string ArgumentHelp,
        string Noun,
        string Plural,
        string Document,
        string Header,
        Func<string, string> Normalize,
        Func<string, string?, T> Create,
        Func<T, string> Key,
        Func<T, string?> Describe)
    {
        public IReadOnlyList<T> Get(DeploymentConfiguration configuration) => (IReadOnlyList<T>)DocumentJson.Get(configuration, Document);

        public DeploymentConfiguration With(DeploymentConfiguration configuration, IReadOnlyList<T> entries) => DocumentJson.With(configuration, Document, entries);

        public void Table(TextWriter output, DeploymentConfiguration configuration)
            => TableWriter.Write(output, [Header, "DESCRIPTION"], Get(configuration).Select(e => new[] { Key(e), Describe(e) ?? "" }));
    }
}
