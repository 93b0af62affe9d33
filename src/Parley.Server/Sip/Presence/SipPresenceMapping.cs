using System.Security.Cryptography;
using System.Text;
using Parley.Server.Presence.Availability;
using Parley.Server.Sip.Presence.Pidf;
using Parley.Xmpp;
using Parley.Xmpp.Xml;
using Model = Parley.Server.Presence.Availability.Availability;

namespace Parley.Server.Sip.Presence;

/// <summary>One resource's presence as the engine holds it, for composing a presentity's document.</summary>
/// <param name="Published">
/// The canonical state the resource was set from, when known (a SIP publication): used instead of re-reading the
/// XMPP stanza, which would have collapsed e.g. on-the-phone into dnd.
/// </param>
public sealed record ResourcePresence(string Resource, Element Presence, int Priority, PresenceState? Published = null);

/// <summary>
/// SIP presence documents ↔ the canonical model ↔ XMPP presence (RFC 7248: basic open/closed ↔ available/unavailable,
/// note ↔ status), with availability going through the tables in <see cref="AvailabilityTables"/>, never directly
/// from one protocol's token to the other's.
/// </summary>
public static class SipPresenceMapping
{
    /// <summary>From least to most reachable: when a document lists several activities, the least reachable wins.</summary>
    private static readonly Model[] Reachability =
    [
        Model.Offline, Model.AppearOffline, Model.OnThePhone, Model.InAMeeting, Model.Busy, Model.DoNotDisturb, Model.Away, Model.BeRightBack, Model.Available,
    ];

    /// <summary>
    /// The state a document says. Open when any tuple is open (or, with no basic status at all, when the person has
    /// activities: RFC 4479 documents may carry only a person). Activities come from the person, else from the open
    /// tuples (where pre-RFC 4480 clients put them). Unknown activity names say nothing and are skipped.
    /// </summary>
    public static PresenceState ToState(PidfDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var open = document.Tuples.Any(t => t.Basic == PidfBasic.Open)
            || (document.Tuples.All(t => t.Basic == PidfBasic.Unspecified) && document.Person is { Activities.Count: > 0 });
        var note = document.Person?.Note ?? document.Note ?? document.Tuples.FirstOrDefault(t => t.Basic == PidfBasic.Open && t.Note is not null)?.Note;
        if (!open)
        {
            return new PresenceState(Model.Offline, note);
        }

        var activities = document.Person is { Activities.Count: > 0 } person
            ? person.Activities
            : document.Tuples.Where(t => t.Basic == PidfBasic.Open).SelectMany(t => t.Activities);
        var availability = Model.Available;
        foreach (var activity in activities)
        {
            if (activity is not ("open" or "closed") && AvailabilityTables.PidfRpidToParley.TryMap(activity, out var mapped))
            {
                availability = LeastReachable(availability, Enum.Parse<Model>(mapped));
            }
        }

        return new PresenceState(availability, note);
    }

    /// <summary>
    /// The XMPP presence for a state (a SIP user's publication seen by XMPP contacts). States XMPP can only show as
    /// dnd keep their meaning in &lt;status/&gt; with the seed's label when the publisher gave no note.
    /// </summary>
    public static Element ToXmppPresence(PresenceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var presence = new Element("presence", XmppNamespaces.Client);
        var xmpp = XmppAvailability.ToXmpp(state.Availability);
        if (xmpp.Unavailable)
        {
            presence.SetAttribute("type", "unavailable");
        }
        else if (xmpp.Show is { } show)
        {
            presence.AddChild("show", XmppNamespaces.Client).AddText(show);
        }

        var status = state.Note ?? state.Availability switch
        {
            Model.OnThePhone => "On the phone",
            Model.InAMeeting => "In a meeting",
            _ => null,
        };
        if (status is not null)
        {
            presence.AddChild("status", XmppNamespaces.Client).AddText(status);
        }

        return presence;
    }

    /// <summary>
    /// The document a watcher sees: one open tuple per available resource (its &lt;status/&gt; as the tuple note), and a
    /// person with the activity and note of the resource that counts most (highest priority, then most reachable).
    /// With no available resource — offline, or a watcher who may not see the presentity — it is one closed tuple,
    /// the same bytes in both cases so polite blocking cannot be told from being offline.
    /// </summary>
    public static PidfDocument ToPidf(string entity, IReadOnlyList<ResourcePresence> resources)
    {
        ArgumentException.ThrowIfNullOrEmpty(entity);
        ArgumentNullException.ThrowIfNull(resources);
        var tuples = new List<PidfTuple>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        ResourcePresence? top = null;
        PresenceState? topState = null;
        foreach (var resource in resources)
        {
            var state = StateOf(resource);
            if (!state.IsVisiblyOnline)
            {
                continue;
            }

            tuples.Add(new PidfTuple(UniqueId(TupleId(resource.Resource), ids), PidfBasic.Open, entity, state.Note, []));
            if (top is null || resource.Priority > top.Priority
                || (resource.Priority == top.Priority && Rank(state.Availability) > Rank(topState!.Availability)))
            {
                top = resource;
                topState = state;
            }
        }

        if (topState is null)
        {
            return new PidfDocument(entity, [new PidfTuple(TupleId(entity), PidfBasic.Closed, null, null, [])], null, null);
        }

        var token = AvailabilityTables.ParleyToPidfRpid.Map(topState.Availability.ToString());
        IReadOnlyList<string> activities = token is "open" or "closed" ? [] : [token];
        return new PidfDocument(entity, tuples, new PidfPerson(PersonId(entity), activities, topState.Note), null);
    }

    private static PresenceState StateOf(ResourcePresence resource)
    {
        if (resource.Published is { } published)
        {
            return published;
        }

        var presence = resource.Presence;
        return XmppAvailability.FromXmpp(
            presence.GetAttribute("type") == "unavailable",
            presence.ChildText("show", XmppNamespaces.Client)?.Trim(),
            presence.ChildText("status", XmppNamespaces.Client)?.Trim());
    }

    private static Model LeastReachable(Model a, Model b) => Rank(a) <= Rank(b) ? a : b;

    private static int Rank(Model availability) => Array.IndexOf(Reachability, availability);

    /// <summary>Stable per resource without revealing its name (resources can name devices or places).</summary>
    private static string TupleId(string resource) => "t" + ShortHash(resource);

    private static string PersonId(string entity) => "p" + ShortHash(entity);

    private static string ShortHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 6);

    private static string UniqueId(string id, HashSet<string> used)
    {
        var candidate = id;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = id + "-" + n;
        }

        return candidate;
    }
}
