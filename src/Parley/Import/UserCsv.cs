using System.Globalization;
using System.Text;
using Parley.Server.Directory;
using Parley.Xmpp.Addressing;

namespace Parley.Cli.Import;

/// <summary>A user read from line <see cref="Line"/> of the file.</summary>
internal sealed record CsvUser(int Line, UserImportEntry Entry);

/// <summary>Why line <see cref="Line"/> cannot be imported. Never quotes a password.</summary>
internal sealed record CsvProblem(int Line, string Problem, string Fix);

internal sealed record UserCsvContent(IReadOnlyList<CsvUser> Users, IReadOnlyList<CsvProblem> Problems);

/// <summary>
/// The user import file: a header line naming the columns (jid, password, optionally enabled; any order, any case),
/// then one user per line. Fields are separated by commas; a field holding a comma or a double quote is written in
/// double quotes with inner quotes doubled (RFC 4180), on one line. Blank lines are ignored. Nothing is trimmed
/// from passwords.
/// </summary>
internal static class UserCsv
{
    public const string JidColumn = "jid";
    public const string PasswordColumn = "password";
    public const string EnabledColumn = "enabled";

    private const string HeaderFix = "make the first line the header `jid,password` or `jid,password,enabled`.";

    private static readonly string[] Known = [JidColumn, PasswordColumn, EnabledColumn];

    public static UserCsvContent Read(TextReader reader, int maxUsers)
    {
        var users = new List<CsvUser>();
        var problems = new List<CsvProblem>();
        var fields = new List<string>();
        Header? header = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith('\uFEFF'))
            {
                line = line[1..]; // A byte order mark that reached us as text (standard input).
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!Split(line, fields, out var syntax))
            {
                problems.Add(new(lineNumber, syntax, "write a field holding a comma or a quote in double quotes, with inner quotes doubled: \"pa,ss\"\"word\"."));
                if (header is null)
                {
                    return new(users, problems);
                }

                continue;
            }

            if (header is null)
            {
                header = ReadHeader(lineNumber, fields, problems);
                if (header is null)
                {
                    return new(users, problems);
                }

                continue;
            }

            if (users.Count + 1 > maxUsers)
            {
                problems.Add(new(lineNumber, string.Create(CultureInfo.InvariantCulture, $"the file holds more than {maxUsers:N0} users"), "split it and import the parts one after the other."));
                return new(users, problems);
            }

            if (ReadUser(lineNumber, fields, header, problems) is { } user)
            {
                users.Add(user);
            }
        }

        if (header is null)
        {
            problems.Add(new(Math.Max(lineNumber, 1), "the file is empty (no header line)", HeaderFix));
        }

        return new(users, problems);
    }

    private static Header? ReadHeader(int line, List<string> fields, List<CsvProblem> problems)
    {
        // A first line holding an address is a user, not a header. Do not quote it: it holds a password.
        if (fields.Any(field => field.Contains('@', StringComparison.Ordinal)))
        {
            problems.Add(new(line, "the first line is a user, not the header", "add the header line `jid,password` (or `jid,password,enabled`) before the users."));
            return null;
        }

        var before = problems.Count;
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var column = 0; column < fields.Count; column++)
        {
            var name = fields[column].Trim();
            if (!Known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add(new(line, name.Length == 0 ? $"column {column + 1} of the header has no name" : $"unknown column '{name}' (column {column + 1})",
                    "remove that column; the columns are jid, password and, optionally, enabled."));
            }
            else if (!columns.TryAdd(name, column))
            {
                problems.Add(new(line, $"column '{name}' appears twice (columns {columns[name] + 1} and {column + 1})", "keep one of them."));
            }
        }

        foreach (var required in (string[])[JidColumn, PasswordColumn])
        {
            if (!columns.ContainsKey(required))
            {
                problems.Add(new(line, $"the header has no '{required}' column", HeaderFix));
            }
        }

        return problems.Count > before ? null : new Header(fields.Count, columns[JidColumn], columns[PasswordColumn], columns.GetValueOrDefault(EnabledColumn, -1));
    }

    private static CsvUser? ReadUser(int line, List<string> fields, Header header, List<CsvProblem> problems)
    {
        if (fields.Count != header.Columns)
        {
            problems.Add(new(line, $"{fields.Count} field(s), but the header names {header.Columns} column(s)",
                "give one value per column; quote a value that holds a comma: \"pa,ss\"."));
            return null;
        }

        var text = fields[header.Jid].Trim();
        Jid? jid = null;
        if (text.Length == 0)
        {
            problems.Add(new(line, "the jid is empty", "give a user address such as alice@example.com."));
        }
        else if (!Jid.TryParse(text, out jid, out var error))
        {
            problems.Add(new(line, $"'{text}' is not a valid JID: {error.TrimEnd('.')}", "give a user address such as alice@example.com."));
        }

        var enabled = true;
        if (header.Enabled >= 0 && !TryParseEnabled(fields[header.Enabled].Trim(), out enabled))
        {
            problems.Add(new(line, $"enabled is '{fields[header.Enabled].Trim()}'", "write true or false (or yes/no, 1/0), or leave it empty for true."));
            return null;
        }

        // The password is checked by the directory with the other rules (CheckImportAsync), so every problem is listed.
        return jid is null ? null : new CsvUser(line, new UserImportEntry(jid, fields[header.Password], enabled));
    }

    private static bool TryParseEnabled(string text, out bool enabled)
    {
        switch (text.ToLowerInvariant())
        {
            case "" or "true" or "yes" or "1" or "enabled" or "on":
                enabled = true;
                return true;
            case "false" or "no" or "0" or "disabled" or "off":
                enabled = false;
                return true;
            default:
                enabled = false;
                return false;
        }
    }

    /// <summary>Splits one line into fields (RFC 4180 quoting, no line breaks inside fields).</summary>
    private static bool Split(string line, List<string> fields, out string problem)
    {
        fields.Clear();
        problem = "";
        var field = new StringBuilder();
        var position = 0;
        while (true)
        {
            field.Clear();
            if (position < line.Length && line[position] == '"')
            {
                position++;
                while (true)
                {
                    var quote = line.IndexOf('"', position);
                    if (quote < 0)
                    {
                        problem = $"a quoted field (column {fields.Count + 1}) is not closed; fields cannot span lines";
                        return false;
                    }

                    field.Append(line, position, quote - position);
                    position = quote + 1;
                    if (position < line.Length && line[position] == '"')
                    {
                        field.Append('"');
                        position++;
                        continue;
                    }

                    break;
                }

                if (position < line.Length && line[position] != ',')
                {
                    problem = $"text follows the closing quote of column {fields.Count + 1}";
                    return false;
                }
            }
            else
            {
                var comma = line.IndexOf(',', position);
                var end = comma < 0 ? line.Length : comma;
                field.Append(line, position, end - position);
                position = end;
            }

            fields.Add(field.ToString());
            if (position >= line.Length)
            {
                return true;
            }

            position++; // the comma
            if (position == line.Length)
            {
                fields.Add("");
                return true;
            }
        }
    }

    private sealed record Header(int Columns, int Jid, int Password, int Enabled);
}
