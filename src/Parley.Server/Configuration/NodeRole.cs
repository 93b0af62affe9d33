namespace Parley.Server.Configuration;

[Flags]
public enum NodeRole
{
    None = 0,
    Frontend = 1,
    Routing = 2,
    Edge = 4,
    Cms = 8,
    All = Frontend | Routing | Edge | Cms,
}
