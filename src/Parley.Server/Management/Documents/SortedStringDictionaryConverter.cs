using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Server.Management.Documents;

/// <summary>Writes string maps in ordinal key order (a Dictionary's order is not part of its contract); reads them strictly.</summary>
internal sealed class SortedStringDictionaryConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected an object of name → value strings");
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"the value of '{key}' must be a string");
            }

            if (!result.TryAdd(key, reader.GetString()!))
            {
                throw new JsonException($"'{key}' appears twice");
            }
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var key in value.Keys.Order(StringComparer.Ordinal))
        {
            writer.WriteString(key, value[key]);
        }

        writer.WriteEndObject();
    }
}
