import { css } from 'lit';

/** Styles of one entry in a list panel (a recording, a schedule): a ruled row with a title. */
export const listItemStyles = css`
  :host {
    padding: 0.75rem 0;
    border-bottom: 1px solid var(--td-border, #d0d4da);
  }
  h3 {
    margin: 0 0 0.25rem;
    font-size: 1.05rem;
    overflow-wrap: anywhere;
  }
`;
