import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';

/** Parity's Discord application commands, as `npm run discord:register` registers them. */
export const DISCORD_COMMANDS: RESTPutAPIApplicationCommandsJSONBody = [
  {
    name: 'odds',
    type: ApplicationCommandType.ChatInput,
    description: 'The odds of the markets matching some words (the top movers without words)',
    options: [
      {
        name: 'query',
        type: ApplicationCommandOptionType.String,
        description: 'Words of the question, or a tag',
        required: false,
        max_length: 200,
      },
    ],
  },
  {
    name: 'forecast',
    type: ApplicationCommandType.ChatInput,
    description: 'Record your forecast on a market',
    options: [
      {
        name: 'market',
        type: ApplicationCommandOptionType.String,
        description: 'The market id or words of its question',
        required: true,
        max_length: 200,
      },
      {
        name: 'probability',
        type: ApplicationCommandOptionType.Number,
        description: 'Your probability, in percent',
        required: true,
        min_value: 0,
        max_value: 100,
      },
      {
        name: 'outcome',
        type: ApplicationCommandOptionType.String,
        description: 'Multiple choice: the outcome the probability is for',
        required: false,
        max_length: 80,
      },
    ],
  },
  {
    name: 'parity',
    type: ApplicationCommandType.ChatInput,
    description: 'Your Parity account in Discord',
    options: [
      {
        name: 'link',
        type: ApplicationCommandOptionType.Subcommand,
        description: 'Link this Discord account to your Parity account',
      },
      {
        name: 'unlink',
        type: ApplicationCommandOptionType.Subcommand,
        description: 'Unlink this Discord account',
      },
      {
        name: 'reminders',
        type: ApplicationCommandOptionType.Subcommand,
        description: 'Daily reminders of forecasts worth a second look',
        options: [
          {
            name: 'enabled',
            type: ApplicationCommandOptionType.Boolean,
            description: 'On or off',
            required: true,
          },
        ],
      },
    ],
  },
];
