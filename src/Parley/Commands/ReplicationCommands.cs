using System.CommandLine;

namespace Parley.Cli.Commands;

/// <summary><c>parley replication …</c>: the CMS replication commands, one file per subcommand.</summary>
internal static class ReplicationCommands
{
    public static Command Create(CliContext context, CommonOptions common)
    {
        var replication = new Command("replication", "CMS replication: what each node holds, forcing a resend, applying a snapshot by hand.");
        foreach (var subcommand in Subcommands(context, common))
        {
            replication.Subcommands.Add(subcommand);
        }

        return replication;
    }

    // Add a subcommand here (one Create method per file, ReplicationXxxCommand.cs).
    private static IEnumerable<Command> Subcommands(CliContext context, CommonOptions common) =>
    [
        ReplicationStatusCommand.Create(context, common),
        ReplicationInvokeCommand.Create(context, common),
        ReplicationMoveMasterCommand.Create(context, common),
        ReplicationImportCommand.Create(context, common),
    ];
}
