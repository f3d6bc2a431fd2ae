import { css } from 'lit';

/** Layout of the schedule form: rows of fields that wrap to one column on a phone. */
export const scheduleFormStyles = css`
  form {
    display: grid;
    gap: 0.75rem;
  }
  h3 {
    margin: 0;
    font-size: 1.05rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: start;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    flex: 1 1 12rem;
    min-width: 0;
  }
  .field.wide {
    flex-basis: 100%;
  }
  .field.narrow {
    flex: 0 1 13rem;
  }
  .field > span,
  .field > label {
    font-weight: 600;
  }
  .field input,
  .field select {
    width: 100%;
    min-width: 0;
  }
  .rule {
    display: grid;
    gap: 0.5rem;
    flex: 3 1 16rem;
    min-width: 0;
  }
  fieldset {
    min-width: 0;
    margin: 0;
    border: 1px solid var(--td-border, #d0d4da);
    border-radius: 8px;
    padding: 0.5rem 0.75rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  fieldset.days {
    display: flex;
    flex-wrap: wrap;
    column-gap: 1rem;
  }
  fieldset.invalid {
    border-color: var(--td-error, #b3261e);
  }
  input[aria-invalid='true'] {
    border-color: var(--td-error, #b3261e);
    border-width: 2px;
  }
  .preview {
    display: grid;
    gap: 0.25rem;
  }
  .preview p,
  .hint {
    margin: 0;
  }
  .hint {
    color: var(--td-muted, #4a4f57);
    font-size: 0.9rem;
    overflow-wrap: anywhere;
  }
  .reading {
    font-weight: 600;
  }
  .next-runs {
    margin: 0;
    padding-left: 1.25rem;
    font-variant-numeric: tabular-nums;
  }
  code {
    white-space: nowrap;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  /* Empty live regions stay in the page (so what fills them is announced) but take no room. */
  form {
    position: relative;
  }
  p[role='alert']:empty,
  p[role='status']:empty {
    position: absolute;
    margin: 0;
  }
`;
