using System.CommandLine;
using System.Globalization;
using System.Text;
using Parley.Cli.Import;
using Parley.Cli.Output;
using Parley.Server.Directory;

namespace Parley.Cli.Commands;

/// <summary><c>parley user import FILE</c>: many users at once, validated first, all or nothing.</summary>
internal static class UserImportCommand
{
    public const int MaxProblemsShown = 50;

    private const string StandardInput = "-";

    private const string Description =
        """
        Add many users from a CSV file (FILE, or - for standard input). Every line is checked first;
        if any is wrong, each problem is listed as FILE:LINE and nothing is imported (exit 2).

        The first line is the header naming the columns: jid and password, and optionally enabled
        (true/false, yes/no or 1/0; empty or absent means true). One user per line:

          jid,password,enabled
          alice@example.com,correct horse battery,true
          bob@example.com,"pa,ss""word",false

        Quote a field that holds a comma or a double quote, doubling inner quotes ("pa,ss""word" is
        pa,ss"word). Passwords are taken as written (no trimming) and never printed. Each domain must
        be hosted (`parley domain add`). Existing users are skipped, so running the same import again
        is safe; --update-passwords resets their passwords instead (their enabled state is kept).
        Users are written in batches of 500, each committed with its own configuration revision: an
        interrupted import keeps whole batches, and running it again finishes the job.
        """;

    public static Command Create(CliContext context, CommonOptions common)
    {
        var file = new Argument<string>("FILE") { Description = "The CSV file, or - to read it from standard input." };
        var updatePasswords = new Option<bool>("--update-passwords") { Description = "Reset the passwords of users that already exist (default: skip them)." };
        var json = new Option<bool>("--json") { Description = "Write the summary as JSON." };
        var command = new Command("import", Description) { file, updatePasswords, json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, () => ImportAsync(
            context, result.GetValue(file)!, result.GetValue(common.Data), result.GetValue(updatePasswords), result.GetValue(json), cancellationToken)));
        return command;
    }

    private static async Task<int> ImportAsync(CliContext context, string file, string? data, bool updatePasswords, bool json, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var name = file == StandardInput ? "<stdin>" : file;
        var content = Read(context, file);
        await using var store = await context.OpenStoreAsync(context.DataDirectory(data), create: false, cancellationToken);

        var entries = content.Users.Select(user => user.Entry).ToList();
        var problems = content.Problems.Select(p => (p.Line, Text: $"{p.Problem}. Fix: {p.Fix}")).ToList();
        foreach (var problem in await store.Users.CheckImportAsync(entries, cancellationToken))
        {
            var first = problem.FirstIndex is { } index ? $" (first on line {content.Users[index].Line})" : "";
            problems.Add((content.Users[problem.Index].Line, $"{problem.Problem}{first}. Fix: {problem.Fix}"));
        }

        if (problems.Count > 0)
        {
            foreach (var (line, text) in problems.OrderBy(p => p.Line).Take(MaxProblemsShown))
            {
                context.Error.WriteLine($"{name}:{line}: {text}");
            }

            if (problems.Count > MaxProblemsShown)
            {
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"and {problems.Count - MaxProblemsShown:N0} more."));
            }

            return CommandRunner.Fail(context,
                $"nothing imported: {Count(problems.Count, "problem")} in {name}. Fix them and run the command again.", ExitCodes.Usage);
        }

        var progress = new ImportProgress(context.Error, context.ErrorIsTerminal, entries.Count, context.Time);
        UserImportResult imported;
        try
        {
            progress.Report(0);
            imported = await store.Users.ImportUsersAsync(entries, updatePasswords, context.Actor, name, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.Complete();
            return CommandRunner.Fail(context,
                "import interrupted; the users counted above were committed (whole batches). Fix: run the same command again to import the rest (existing users are skipped).",
                ExitCodes.Interrupted);
        }
        catch
        {
            // The count says how many users are already in (whole batches) before the error is reported.
            progress.Complete();
            throw;
        }

        progress.Complete();
        var seconds = context.Time.GetElapsedTime(started).TotalSeconds;
        if (json)
        {
            JsonOutput.Write(context.Output, new
            {
                file = name,
                users = imported.Total,
                added = imported.Added,
                updated = imported.Updated,
                skipped = imported.Skipped,
                seconds = Math.Round(seconds, 3),
                firstRevision = imported.FirstRevision,
                lastRevision = imported.LastRevision,
            });
        }
        else
        {
            context.Output.WriteLine(Summary(imported, seconds));
        }

        return ExitCodes.Ok;
    }

    /// <summary>"Imported 9,998 users (2 already existed, skipped) in 12.3 s."</summary>
    public static string Summary(UserImportResult imported, double seconds)
    {
        var existing = imported.Updated + imported.Skipped;
        var detail = existing == 0 ? ""
            : imported.Updated > 0 && imported.Skipped == 0 ? $" ({existing:N0} already existed, password reset)"
            : imported.Updated == 0 ? $" ({existing:N0} already existed, skipped)"
            : $" ({existing:N0} already existed: {imported.Updated:N0} password reset, {imported.Skipped:N0} skipped)";
        return string.Create(CultureInfo.InvariantCulture, $"Imported {Count(imported.Added, "user")}{detail} in {seconds:0.0} s.");
    }

    private static UserCsvContent Read(CliContext context, string file)
    {
        var limit = new UserDirectoryOptions().MaxImportUsers;
        if (file == StandardInput)
        {
            return UserCsv.Read(context.Input, limit);
        }

        try
        {
            using var reader = new StreamReader(Path.GetFullPath(file, context.WorkingDirectory), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return UserCsv.Read(reader, limit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {file}: {e.Message} Fix: give a readable CSV file, or - to read standard input.");
        }
    }

    private static string Count(int count, string noun)
        => string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? "" : "s")}");
}
