/**
 * The live simulation's agents trade under accounts named `bot_<persona or kind>`
 * (server/sim/liveSimulation.ts); the API does not flag them otherwise.
 */
export function isBot(username: string): boolean {
  return username.startsWith('bot_');
}

/** A small "bot" tag beside a simulated trader's name. */
export function BotBadge({ username }: { username: string }) {
  if (!isBot(username)) return null;
  return (
    <span className="tag bot-tag" title="A simulated trader from the live simulation">
      bot
    </span>
  );
}
