using System.Text;
using Microsoft.Data.Sqlite;

namespace Parley.Server.Tests.Cli;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the parley command line in-process, and snapshots a store file to prove "nothing changed".</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunWithInputAsync(string workingDirectory, string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Parley.Cli.Cli.RunAsync(args, new StringReader(input), output, error, workingDirectory, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) => RunWithInputAsync(workingDirectory, "", args);

    /// <summary>Every row of every table, as text.</summary>
    public static string Snapshot(string databasePath)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            using var reader = select.ExecuteReader();
            text.Append('[').Append(table).AppendLine("]");
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    text.Append(value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }
}
