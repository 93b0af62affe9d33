using Parley.Server.Roster;
using Parley.Server.Sessions;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Tests.Sessions;

public sealed class OnlineUserTests
{
    [Theory]
    [InlineData("bob@example.com", "bob@example.com/phone", true)]
    [InlineData("bob@example.com", "bob@example.com", true)]
    [InlineData("bob@example.com/phone", "bob@example.com/desk", false)]
    [InlineData("bob@example.com/phone", "bob@example.com/phone", true)]
    [InlineData("example.org", "eve@example.org/x", true)]
    [InlineData("example.org", "eve@example.com", false)]
    public void Block_list_matches_full_bare_and_domain_entries_as_XEP_0191_says(string entry, string sender, bool blocked)
    {
        var user = new OnlineUser(Jid.Parse("alice@example.com"), new RosterSnapshot(0, []), [Jid.Parse(entry)], []);

        Assert.Equal(blocked, user.IsBlocking(Jid.Parse(sender)));
    }
}
