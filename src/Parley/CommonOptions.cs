using System.CommandLine;

namespace Parley.Cli;

/// <summary>Options shared by several commands. One instance per command tree (options are symbols, not values).</summary>
public sealed class CommonOptions
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Data directory holding parley.db (default: ./data under the working directory).",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON instead of a table." };
}
