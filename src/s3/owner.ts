/** The one owner of every bucket and object (credentials are not checked: docs/aws-contract.md §1). */
export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'sagemaker-emulator',
};
