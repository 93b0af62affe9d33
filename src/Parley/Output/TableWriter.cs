namespace Parley.Cli.Output;

/// <summary>Plain aligned columns, header first; the last column is not padded.</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((header, column) => Math.Max(header.Length, all.Count == 0 ? 0 : all.Max(row => row[column].Length))).ToArray();
        WriteRow(output, headers, widths);
        foreach (var row in all)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths)
    {
        for (var column = 0; column < cells.Count; column++)
        {
            var last = column == cells.Count - 1;
            output.Write(last ? cells[column] : cells[column].PadRight(widths[column] + 2));
        }

        output.WriteLine();
    }
}
