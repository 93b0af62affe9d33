using System.CommandLine;
using System.CommandLine.Invocation;
using Parley.Cli.Commands;

namespace Parley.Cli;

/// <summary>The <c>parley</c> command line, callable in-process (tests) with its own streams.</summary>
public static class Cli
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
        => RunAsync(args, TextReader.Null, output, error, Environment.CurrentDirectory, CancellationToken.None);

    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, string workingDirectory,
        CancellationToken cancellationToken)
        => RunAsync(args, input, output, error, workingDirectory, errorIsTerminal: false, cancellationToken);

    /// <param name="errorIsTerminal">Standard error is a terminal, so progress lines may be rewritten in place.</param>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, string workingDirectory,
        bool errorIsTerminal, CancellationToken cancellationToken)
    {
        var context = new CliContext(input, output, error, workingDirectory, TimeProvider.System) { ErrorIsTerminal = errorIsTerminal };
        var root = Build(context);
        // No response files: "@example.com" is a (bad) JID to report, not a file to expand.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parsed.CommandResult.Command.Name == ServeCommand.Name)
        {
            // serve handles SIGINT/SIGTERM itself and stops within its own deadlines; System.CommandLine's handler
            // would return 130/143 after 2 s, before the node closed its streams and stored its events.
            configuration.ProcessTerminationTimeout = null;
        }

        if (parsed.Action is ParseErrorAction)
        {
            await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    public static RootCommand Build(CliContext context)
    {
        var common = new CommonOptions();
        var root = new RootCommand(
            """
            Parley: IM and presence server (XMPP), and its administration.
            Exit codes: 0 ok, 1 refused or failed, 2 usage or input error (an invalid configuration too), 3 configuration or data directory error, 4 storage error, 5 not the CMS master, 130 interrupted.
            """);
        root.Options.Add(common.Data);
        root.Subcommands.Add(ServeCommand.Create(context, common));
        root.Subcommands.Add(DomainCommands.Create(context, common));
        root.Subcommands.Add(UserCommands.Create(context, common));
        root.Subcommands.Add(SettingsCommands.Create(context, common));
        root.Subcommands.Add(ConfigCommands.Create(context, common));
        root.Subcommands.Add(TopologyCommands.Create(context, common));
        root.Subcommands.Add(FederationCommands.Create(context, common));
        root.Subcommands.Add(EventsCommand.Create(context, common));
        root.Subcommands.Add(ReplicationCommands.Create(context, common));
        return root;
    }
}
