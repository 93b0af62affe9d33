using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Cli.Output;

/// <summary>--json output: indented, camelCase, enums as names, stable for scripts.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter output, T value)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        };
        output.WriteLine(JsonSerializer.Serialize(value, options));
    }
}
