using Parley.Server.Sip.Presence;
using Parley.Sip.Messages;

namespace Parley.Server.Tests.Sip.Presence;

public sealed class PresenceRequestRulesTests
{
    private static readonly SipPresenceOptions Options = new() { MinExpires = TimeSpan.FromSeconds(60), MaxExpires = TimeSpan.FromHours(24) };

    private static SipRequest Request(string? @event = "presence", string? expires = null)
    {
        var request = SipRequest.Create(SipMethods.Subscribe, SipUri.Parse("sip:bob@example.com"));
        if (@event is not null)
        {
            request.Headers.Add(SipHeaderNames.Event, @event);
        }

        if (expires is not null)
        {
            request.Headers.Add(SipHeaderNames.Expires, expires);
        }

        return request;
    }

    [Theory]
    [InlineData(null, 3600)]
    [InlineData("0", 0)]
    [InlineData("60", 60)]
    [InlineData(" 1800 ", 1800)]
    [InlineData("86400", 86400)]
    [InlineData("86401", 86400)]
    [InlineData("99999999999999999999999", 86400)]
    public void Granted_expiry(string? header, int seconds)
    {
        Assert.Null(PresenceRequestRules.CheckExpires(Request(expires: header), Options, out var granted));
        Assert.Equal(TimeSpan.FromSeconds(seconds), granted);
    }

    [Theory]
    [InlineData("59", 423, "60")]
    [InlineData("1", 423, "60")]
    [InlineData("-5", 400, null)]
    [InlineData("ten", 400, null)]
    [InlineData("", 400, null)]
    public void Refused_expiry(string header, int status, string? minExpires)
    {
        var refusal = PresenceRequestRules.CheckExpires(Request(expires: header), Options, out _);
        Assert.NotNull(refusal);
        Assert.Equal(status, refusal.Status);
        Assert.Equal(minExpires, minExpires is null ? null : refusal.HeaderValue);
    }

    [Theory]
    [InlineData("presence", null)]
    [InlineData("Presence", null)]
    [InlineData("presence;id=42", "42")]
    [InlineData("presence ; id = 7", "7")]
    public void The_presence_package_is_accepted_with_its_id(string header, string? id)
    {
        Assert.Null(PresenceRequestRules.CheckEvent(Request(header), out var eventId));
        Assert.Equal(id, eventId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("presence.winfo")]
    [InlineData("dialog")]
    [InlineData("message-summary")]
    public void Other_packages_get_489_with_allow_events(string? header)
    {
        var refusal = PresenceRequestRules.CheckEvent(Request(header), out _);
        Assert.NotNull(refusal);
        Assert.Equal(489, refusal.Status);
        Assert.Equal((SipHeaderNames.AllowEvents, "presence"), (refusal.HeaderName, refusal.HeaderValue));
    }

    [Fact]
    public void Options_validation_names_the_setting()
    {
        Assert.Contains("MaxExpires", Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { MaxExpires = TimeSpan.FromSeconds(10) }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("DefaultExpires", Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { DefaultExpires = TimeSpan.FromDays(2) }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("MaxNotifyFailures", Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { MaxNotifyFailures = 0 }).Validate()).Message, StringComparison.Ordinal);
        new SipPresenceOptions().Validate();
    }
}
