import type { ModelList } from '../lib/types';

/** A local server may name its model by folder path; show the folder name. */
const label = (id: string) =>
  id.startsWith('/') ? (id.split('/').filter(Boolean).pop() ?? id) : id;

type Props = {
  models: ModelList | undefined;
  value: string | undefined;
  onChange: (model: string) => void;
};

export function ModelPicker({ models, value, onChange }: Props) {
  const ids = models?.models.map((model) => model.id) ?? [];
  if (value && !ids.includes(value)) ids.unshift(value);
  return (
    <div className="model-picker">
      <label htmlFor="model-select">Model</label>
      <select
        id="model-select"
        data-testid="model-select"
        value={value ?? ''}
        disabled={ids.length === 0}
        onChange={(event) => onChange(event.target.value)}
      >
        {ids.length === 0 && <option value="">(unavailable)</option>}
        {ids.map((id) => (
          <option key={id} value={id} title={id}>
            {label(id)}
          </option>
        ))}
      </select>
    </div>
  );
}
