/**
 * The JSON-Schema form's templates where the default theme does not suit the console: buttons
 * with words instead of icon fonts the console does not load (an Add button is described by the
 * title of the list it adds to), and labels and legends whose required mark is hidden from
 * assistive technology (the input itself says it is required), so "Rule" is named "Rule".
 */
import type { FormProps } from '@rjsf/core';
import { type FieldTemplateProps, getUiOptions, type IconButtonProps, type TitleFieldProps } from '@rjsf/utils';

function textButton(label: string, className: string) {
  return function TextButton({ id, onClick, disabled }: IconButtonProps) {
    return (
      <button type="button" id={id} className={`form-button ${className}`} onClick={onClick} disabled={disabled}>
        {label}
      </button>
    );
  };
}

function AddButton({ id, onClick, disabled }: IconButtonProps) {
  return (
    <button
      type="button"
      id={id}
      className="form-button add"
      onClick={onClick}
      disabled={disabled}
      aria-describedby={id?.replace(/__add$/, '__title')}
    >
      Add item
    </button>
  );
}

const RequiredMark = () => (
  <span className="required" aria-hidden="true">
    *
  </span>
);

/** The catalog's forms declare every property (additionalProperties: false): no field is an additional one to rename. */
function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, uiSchema, classNames, style } = props;
  if (hidden) return <div className="hidden">{children}</div>;
  return (
    <div className={['form-group', classNames].filter(Boolean).join(' ')} style={style}>
      {displayLabel && getUiOptions(uiSchema).widget !== 'checkbox' && label && (
        <label className="control-label" htmlFor={id}>
          {label}
          {required && <RequiredMark />}
        </label>
      )}
      {displayLabel && description}
      {children}
      {errors}
      {help}
    </div>
  );
}

function TitleFieldTemplate({ id, title, required }: TitleFieldProps) {
  return (
    <legend id={id}>
      {title}
      {required && <RequiredMark />}
    </legend>
  );
}

export const templates: FormProps['templates'] = {
  FieldTemplate,
  TitleFieldTemplate,
  ButtonTemplates: {
    AddButton,
    RemoveButton: textButton('Remove', 'remove'),
    MoveUpButton: textButton('Move up', 'move'),
    MoveDownButton: textButton('Move down', 'move'),
    CopyButton: textButton('Copy', 'copy'),
    ClearButton: textButton('Clear', 'clear'),
  },
};
