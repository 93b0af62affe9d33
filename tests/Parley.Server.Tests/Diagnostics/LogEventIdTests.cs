using System.Reflection;
using Microsoft.Extensions.Logging;
using Parley.Server.Diagnostics;

namespace Parley.Server.Tests.Diagnostics;

/// <summary>Structured-log event IDs are a public contract for log filters: unique, and apart from the event catalogue.</summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Assemblies = [typeof(EventCatalogue).Assembly, typeof(Parley.Sip.Messages.SipMessage).Assembly];

    [Fact]
    public void Every_log_message_has_its_own_event_id()
    {
        var duplicates = LogMessages()
            .GroupBy(message => message.Id)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Name))}")
            .ToArray();

        Assert.True(duplicates.Length == 0, "Log event IDs used twice:\n" + string.Join('\n', duplicates));
    }

    [Fact]
    public void Log_event_ids_stay_out_of_the_event_catalogue_ranges()
    {
        var inCatalogue = LogMessages().Where(message => EventCatalogue.RangeOf(message.Id) is not null).Select(message => $"{message.Id} {message.Name}").ToArray();

        Assert.True(inCatalogue.Length == 0, "Log event IDs inside catalogue ranges:\n" + string.Join('\n', inCatalogue));
    }

    [Fact]
    public void The_log_messages_of_both_protocol_stacks_are_found()
    {
        var messages = LogMessages().ToArray();

        Assert.Contains(messages, message => message.Name.StartsWith("Parley.Sip.", StringComparison.Ordinal));
        Assert.Contains(messages, message => message.Name.StartsWith("Parley.Server.Xmpp.", StringComparison.Ordinal));
    }

    private static IEnumerable<(int Id, string Name)> LogMessages()
        => from assembly in Assemblies
           from type in assembly.GetTypes()
           from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select (attribute.EventId, $"{type.FullName}.{method.Name}");
}
